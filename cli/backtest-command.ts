import path from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveSource } from '../shared/backtest/archive-source.js';
import type { PolicyNames } from '../shared/backtest/format-backtest.js';
import { formatBacktest } from '../shared/backtest/format-backtest.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_OBJECT_BYTES } from '../shared/backtest/read-archive.js';
import { ArchiveListError, runBacktest } from '../shared/backtest/run-backtest.js';
import { loadPolicyFile } from '../shared/policy/load-policy-file.js';
import { compilePolicy } from '../shared/rules/compile-policy.js';
import { compileRegex } from '../shared/rules/linear-regex.js';
import { folderArchive } from './folder-archive.js';
import { parseS3Url, s3Archive, sdkS3ArchiveClient } from './s3-archive.js';

const MIB = 1024 * 1024;

export const BACKTEST_USAGE = `  backtest --archive FOLDER|s3://BUCKET/PREFIX --policy CANDIDATE [--baseline FILE]
           [--examples N] [--max-object-mib N] [--json] [--region REGION] [--endpoint URL]
      Replays archived chat logs (IVS's gzip NDJSON objects, or this project's
      Firehose archive) through the baseline policy (default the shipped one) and
      the candidate, and reports how verdicts would change: messages per room,
      skipped and invalid input with its place, the verdict transitions, and per
      rule the messages it newly acts on or no longer acts on, with up to N
      examples each (default 3). Objects are streamed one at a time; one that
      decompresses past --max-object-mib (default ${DEFAULT_MAX_OBJECT_BYTES / MIB}) is refused.
      Exit code 0: replayed (changes or not); 1: the archive cannot be read or a
      policy is invalid.
`;

export interface BacktestIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

class BacktestUsageError extends Error {}

/** Runs `ivs-mod backtest`; `defaultPolicyFile` is the shipped policy, the baseline unless --baseline says. */
export async function backtestCommand(
  args: readonly string[],
  io: BacktestIo,
  defaultPolicyFile: string,
): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(args);
  } catch (error) {
    // Usage problems are this command's own, so main.ts needs no case for them.
    if (!(error instanceof BacktestUsageError || isParseArgsError(error))) throw error;
    io.stderr.write(`ivs-mod backtest: ${error.message}\n\nUsage:\n${BACKTEST_USAGE}`);
    return EXIT_USAGE;
  }
  // PolicyFileError goes up to main, which prints it and exits 1 as for every command.
  const baselineFile = path.resolve(options.baseline ?? defaultPolicyFile);
  const candidateFile = path.resolve(options.policy);
  const baselineDocument = loadPolicyFile(baselineFile);
  const candidateDocument = loadPolicyFile(candidateFile);
  const names: PolicyNames = {
    baseline: { file: baselineFile, name: baselineDocument.name },
    candidate: { file: candidateFile, name: candidateDocument.name },
  };

  const archive = openArchive(options);
  let report: Awaited<ReturnType<typeof runBacktest>>;
  try {
    report = await runBacktest(archive.source, {
      baseline: compilePolicy(baselineDocument, { compileRegex }),
      candidate: compilePolicy(candidateDocument, { compileRegex }),
      limits: { maxObjectBytes: options.maxObjectBytes, maxLineBytes: DEFAULT_MAX_LINE_BYTES },
      examples: options.examples,
    });
  } catch (error) {
    if (!(error instanceof ArchiveListError)) throw error;
    io.stderr.write(`ivs-mod backtest: ${error.message}\n`);
    return EXIT_FAILED;
  } finally {
    archive.close();
  }
  io.stdout.write(
    options.json ? `${JSON.stringify({ ...names, ...report })}\n` : formatBacktest(report, names),
  );
  if (report.objects.read === 0) {
    io.stderr.write(
      report.objects.listed === 0
        ? `ivs-mod backtest: no objects in ${report.archive}\n`
        : `ivs-mod backtest: no object in ${report.archive} could be read\n`,
    );
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

function parseOptions(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      archive: { type: 'string' },
      policy: { type: 'string' },
      baseline: { type: 'string' },
      examples: { type: 'string', default: '3' },
      'max-object-mib': { type: 'string' },
      json: { type: 'boolean', default: false },
      region: { type: 'string' },
      endpoint: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new BacktestUsageError('backtest takes no positional arguments');
  if (values.archive === undefined) throw new BacktestUsageError('--archive is required');
  if (values.policy === undefined) throw new BacktestUsageError('--policy (the candidate) is required');
  const examples = wholeNumber(values.examples, '--examples', 0);
  const maxObjectMib =
    values['max-object-mib'] === undefined
      ? DEFAULT_MAX_OBJECT_BYTES / MIB
      : wholeNumber(values['max-object-mib'], '--max-object-mib', 1);
  return {
    archive: values.archive,
    policy: values.policy,
    baseline: values.baseline,
    examples,
    maxObjectBytes: maxObjectMib * MIB,
    json: values.json,
    region: values.region,
    endpoint: values.endpoint,
  };
}

function wholeNumber(text: string, option: string, minimum: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < minimum)
    throw new BacktestUsageError(`${option} takes a whole number of at least ${minimum} (got "${text}")`);
  return value;
}

/** The archive, and what to release once it has been read (the S3 client's connections). */
function openArchive(options: ReturnType<typeof parseOptions>): { source: ArchiveSource; close(): void } {
  const s3 = parseS3Url(options.archive);
  if (s3 === undefined) return { source: folderArchive(options.archive), close: () => undefined };
  // The SDK's notice that releases after January 2027 need Node 22 says nothing about this command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    ...(options.region === undefined ? {} : { region: options.region }),
    // An S3-compatible endpoint (MinIO, LocalStack) serves buckets as paths, not subdomains.
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
  });
  return {
    source: s3Archive(s3.bucket, s3.prefix, sdkS3ArchiveClient(client)),
    close: () => client.destroy(),
  };
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
