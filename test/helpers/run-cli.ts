import { PassThrough, Readable } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CommandResult } from './run-command.js';

/**
 * `ivs-mod ARGV` run in this process through the CLI's own entry (`main`), with `input` on stdin: the same
 * parsing, output and exit code as the bin, without the two seconds a process takes to start under tsx.
 * Tests of the bin itself (its working directory, its exit status) spawn it with runCommand.
 */
export async function runCliInProcess(argv: readonly string[], input = ''): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await main(argv, { stdin: Readable.from([Buffer.from(input)]), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
