import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-command.js';

describe('npm start (tsx local/start.ts)', () => {
  it('prints the endpoints, ready, how to try it, and stops cleanly on SIGTERM', async () => {
    // The script itself, not through npm: npm dies of the signal it forwards (exit code null), and its
    // `sh -c` does not pass on a signal sent to npm alone. tsx relays it to the stack's process.
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts.start).toBe(
      'tsx local/start.ts',
    );
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: '0', NO_COLOR: '1' },
      },
    );
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

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/\nSIGTERM: stopping\n$/);
    expect(stderr).toBe('');
  }, 60_000);
});
