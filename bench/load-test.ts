import path from 'node:path';
import { parseArgs } from 'node:util';
import { passed } from './load-checks.js';
import { loadTestSection } from './load-report.js';
import type { LoadTestOptions } from './load-run.js';
import { runLoadTest } from './load-run.js';
import { replaceLoadTestSection } from './report.js';

/**
 * `npm run load-test [-- --clients 40 --rate 100 --duration 60 …]`: one load test on the local stack
 * (load-run.ts), its report printed and written as the load test section of docs/benchmarks.md. Exits 1 when a
 * check fails, 2 on a usage error.
 */

const REPORT_FILE = path.resolve(__dirname, '..', 'docs', 'benchmarks.md');

const USAGE = `usage: npm run load-test -- [options]
  --clients N        concurrent official clients, one user each (default 40)
  --flooders N       of them, users who flood (default a tenth, at least 1)
  --rate N           the room's maximumMessageRatePerSecond, 1–100: all clients together send at it (default 100)
  --duration S       seconds of sending (default 60)
  --flood-factor X   a flooder's rate over a chatter's (default 3)
  --redeliver SHARE  share of chat log batches delivered to the consumer twice, 0–1 (default 0.1)
  --log-delay MS     chat log batching delay (default 1000; IVS takes about 10 s)
  --consumers N      chat log consumer environments, sharing IVS's 100 actions/s (default 1, serverless.yml's)
  --seed N           traffic seed (default 0x10ad)
  --print-only       print the report; leave docs/benchmarks.md as it is`;

function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
) {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || !check(parsed)) throw new RangeError(`--${name}: ${value} is out of range`);
  return parsed;
}

function readOptions(argv: readonly string[]): { options: LoadTestOptions; printOnly: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      clients: { type: 'string' },
      flooders: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'flood-factor': { type: 'string' },
      redeliver: { type: 'string' },
      'log-delay': { type: 'string' },
      consumers: { type: 'string' },
      seed: { type: 'string' },
      'print-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (n: number) => Number.isInteger(n);
  const clients = numberOption(values.clients, 'clients', 40, (n) => whole(n) && n >= 1 && n <= 1_000);
  const options: LoadTestOptions = {
    clients,
    flooders: numberOption(
      values.flooders,
      'flooders',
      Math.max(1, Math.round(clients / 10)),
      (n) => whole(n) && n >= 0 && n <= clients,
    ),
    ratePerSecond: numberOption(values.rate, 'rate', 100, (n) => whole(n) && n >= 1 && n <= 100),
    durationSeconds: numberOption(values.duration, 'duration', 60, (n) => n > 0 && n <= 3_600),
    floodFactor: numberOption(values['flood-factor'], 'flood-factor', 3, (n) => n >= 1),
    redeliverShare: numberOption(values.redeliver, 'redeliver', 0.1, (n) => n >= 0 && n <= 1),
    chatLogDelayMs: numberOption(values['log-delay'], 'log-delay', 1_000, (n) => n >= 0),
    consumerConcurrency: numberOption(
      values.consumers,
      'consumers',
      1, // serverless.yml's consumerConcurrency

      (n) => whole(n) && n >= 1 && n <= 100,
    ),
    seed: numberOption(values.seed, 'seed', 0x10ad, (n) => whole(n) && n >= 0),
    progress: (line) => console.error(line),
  };
  return { options, printOnly: values['print-only'] };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof readOptions>;
  try {
    parsed = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const result = await runLoadTest(parsed.options);
  const section = loadTestSection(result);
  console.log(`\n${section}\n`);
  if (!parsed.printOnly) {
    replaceLoadTestSection(REPORT_FILE, section);
    console.error(`Written to ${path.relative(process.cwd(), REPORT_FILE)}`);
  }
  const failed = result.checks.filter((check) => !passed(check));
  for (const check of failed)
    console.error(`FAILED: ${check.name}\n  ${check.failures.slice(0, 20).join('\n  ')}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
