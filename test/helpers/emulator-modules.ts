import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './run-command.js';

/**
 * On the `stack` branch, local/ivschat/control-plane.ts and messaging.ts are placeholders that throw
 * 'not merged yet' until the branches that write them are merged. Tests of the whole stack skip (and
 * show as skipped) only while a placeholder is in place; once the real files are there they run, and
 * fail if the stack is broken. Read from the source because skipIf is decided synchronously, at collection.
 */
export function emulatorModulesReady(): boolean {
  return ['control-plane.ts', 'messaging.ts'].every(
    (file) => !readFileSync(path.join(REPO_ROOT, 'local/ivschat', file), 'utf8').includes("'not merged yet'"),
  );
}
