import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCommand } from './run-command.js';

/** Git, the build outputs a packaging writes, and the config (copied: osls refuses a linked serverless.yml). */
const NOT_LINKED = new Set(['.git', '.serverless', '.esbuild', 'serverless.yml']);

export interface PackagedStack {
  /** cloudformation-template-update-stack.json, parsed. */
  readonly template: unknown;
  /** Wall-clock time of `sls package`. */
  readonly seconds: number;
}

/**
 * `npx sls package --stage STAGE --package DIR --param=NAME=VALUE…`, run in a temporary service directory that
 * links the repository's files. serverless-esbuild builds in `<service>/.esbuild` and deletes it when done, which
 * would pull the files from under a concurrent `sls invoke local` of another test run in the repository; here
 * two packagings can run at once, and nothing is left in the repository.
 */
export async function packageStack(
  stage: string,
  params: Readonly<Record<string, string>> = {},
): Promise<PackagedStack> {
  const serviceDir = await mkdtemp(path.join(os.tmpdir(), 'ivs-chat-moderation-package-'));
  try {
    for (const entry of await readdir(REPO_ROOT)) {
      if (!NOT_LINKED.has(entry)) await symlink(path.join(REPO_ROOT, entry), path.join(serviceDir, entry));
    }
    await cp(path.join(REPO_ROOT, 'serverless.yml'), path.join(serviceDir, 'serverless.yml'));
    const output = path.join(serviceDir, 'package');
    const started = performance.now();
    const { code, stdout, stderr } = await runCommand(
      'npx',
      [
        'sls',
        'package',
        '--stage',
        stage,
        '--package',
        output,
        ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`),
      ],
      { cwd: serviceDir },
    );
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0)
      throw new Error(`sls package --stage ${stage} exited with ${code}:\n${stdout}\n${stderr}`);
    const template: unknown = JSON.parse(
      await readFile(path.join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    return { template, seconds };
  } finally {
    // Removes the links, never what they point to.
    await rm(serviceDir, { recursive: true, force: true });
  }
}
