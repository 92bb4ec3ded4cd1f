import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emulatorModulesReady } from '../helpers/emulator-modules.js';
import { REPO_ROOT } from '../helpers/run-command.js';

// Needs the real control plane and messaging server: SKIPPED on the `stack` branch until cp and msg merge.
const modulesReady = emulatorModulesReady();

describe.skipIf(!modulesReady)('npm start', () => {
  it('prints the endpoints, ready, how to try it, and stops cleanly on SIGTERM', async () => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Ctrl-C')) resolve();
      });
      child.on('close', () => reject(new Error(`npm start exited early:\n${stdout}\n${stderr}`)));
    });

    const [controlPlane, messaging, ready, blank, web] = stdout.split('\n');
    expect(controlPlane).toMatch(/^control plane: http:\/\/127\.0\.0\.1:\d+$/);
    expect(messaging).toMatch(/^messaging: ws:\/\/127\.0\.0\.1:\d+$/);
    expect(ready).toBe('ready');
    expect(blank).toBe('');
    expect(web).toMatch(/^web page: http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toMatch(/chat token for lobby .*:\n {2}\S+\n/);

    // npm forwards the signal to the stack's process.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);
});
