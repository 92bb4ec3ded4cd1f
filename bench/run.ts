import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Filter } from 'bad-words';
import leoProfanity from 'leo-profanity';
import AhoCorasick from 'modern-ahocorasick';
import naughtyWords from 'naughty-words';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { CorpusMessage } from './corpus.js';
import { generateCorpus } from './corpus.js';
import { loadBundledEngine } from './engine-bundle.js';
import { formatNumber, formatShare, prependRun, table } from './report.js';
import { measureReviewBundle } from './review-bundle.js';
import type { Engine, EngineResult } from './timing.js';
import { percentile, timeEngines, timerOverheadNanos } from './timing.js';

const ROOT = path.resolve(__dirname, '..');
const REPORT_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const CORPUS = { count: 5_000, seed: 0x1f2e3d4c, minLength: 10, maxLength: 200, profaneShare: 0.1 } as const;
const TIMING = { warmupPasses: 2, rounds: 7 } as const;
const IMPORT_SAMPLES = 15;
const THROUGHPUT_TARGET = 20;
const BUNDLE_LIMIT_BYTES = 250 * 1024;

/** One corpus message plus the IVS event carrying it, built up front so event creation is never timed. */
interface Input {
  readonly message: CorpusMessage;
  readonly event: unknown;
}

function engines(): Engine<Input>[] {
  const { compilePolicy, evaluateMessage, loadPolicyFile, reviewMessage } = loadBundledEngine();
  const policy = compilePolicy(loadPolicyFile(path.join(ROOT, 'config/default-policy.yaml')));
  const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const badWords = new Filter();
  const english = naughtyWords.en;
  const ahoCorasick = new AhoCorasick(
    Array.isArray(english) ? english.filter((word) => typeof word === 'string') : [],
  );
  return [
    {
      name: 'ours: evaluateMessage',
      check: ({ message }) => evaluateMessage(message.text, {}, policy).verdict !== 'allow',
    },
    {
      name: 'ours: reviewMessage',
      check: ({ event }) => reviewMessage(event, policy, { failureResult: 'DENY' }).result !== 'ALLOW',
    },
    // getAllMatches, not hasMatch: comparable work, since we also return every match.
    { name: 'obscenity 0.4.6', check: ({ message }) => obscenity.getAllMatches(message.text).length > 0 },
    { name: 'bad-words 4.1.5', check: ({ message }) => badWords.isProfane(message.text) },
    { name: 'leo-profanity 1.9.0', check: ({ message }) => leoProfanity.check(message.text) },
    // The maintained Aho–Corasick package over the same LDNOOBW list, matcher alone: lower-casing only, no
    // normalization, no word boundaries, no spans back to the original. The reference for writing our own.
    {
      name: 'modern-ahocorasick 3.3.0',
      check: ({ message }) => ahoCorasick.search(message.text.toLowerCase()).length > 0,
    },
  ];
}

function machine(): string {
  const cpus = os.cpus();
  const memory = `${formatNumber(os.totalmem() / 1024 ** 3, 1)} GiB`;
  return [
    cpus[0]?.model.trim() ?? 'unknown CPU',
    `${cpus.length} cores`,
    memory,
    `Node ${process.version}`,
    `${os.type()} ${os.release()} ${os.arch()}`,
    revision(),
  ].join(' · ');
}

/** Which code was measured; the worktree is often mid-edit, so say so. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    return `commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') === '' ? '' : ' + uncommitted changes'}`;
  } catch {
    return 'commit unknown';
  }
}

function engineTable(
  results: readonly EngineResult[],
  corpus: readonly CorpusMessage[],
  baseline: number,
): string {
  const count = (result: EngineResult, kind: CorpusMessage['kind'] | 'profane') => {
    const picked = corpus.flatMap((message, i) =>
      kind === 'profane' ? (message.kind === 'clean' ? [] : [i]) : message.kind === kind ? [i] : [],
    );
    return formatShare(picked.filter((i) => result.flagged[i] === true).length, picked.length);
  };
  return table(
    ['Engine', 'msg/s', 'p50 µs', 'p99 µs', '× obscenity', 'flags profane', 'flags evaded', 'flags clean'],
    results.map((result) => [
      result.name,
      formatNumber(result.messagesPerSecond),
      formatNumber(result.p50Micros, 2),
      formatNumber(result.p99Micros, 2),
      `${formatNumber(result.messagesPerSecond / baseline, 2)}×`,
      count(result, 'profane'),
      count(result, 'evaded'),
      count(result, 'clean'),
    ]),
  );
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const corpus = generateCorpus(CORPUS);
  const inputs: Input[] = corpus.map((message, i) => ({
    message,
    // Parsed from JSON, as the Lambda runtime hands IVS's event over.
    event: JSON.parse(
      JSON.stringify({
        Content: message.text,
        MessageId: `message-${i}`,
        RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/bench',
        Attributes: {},
        Sender: { UserId: `user-${i % 97}`, Attributes: {} },
      }),
    ),
  }));
  const lengths = corpus.map((message) => message.text.length);
  const profane = corpus.filter((message) => message.kind !== 'clean').length;
  const evaded = corpus.filter((message) => message.kind === 'evaded').length;

  console.log(
    `Timing ${inputs.length} messages: ${TIMING.warmupPasses} warm-up passes, ${TIMING.rounds} rounds…`,
  );
  const overhead = timerOverheadNanos();
  const results = timeEngines(engines(), inputs, TIMING);
  console.log(`Bundling the review function and importing it in ${IMPORT_SAMPLES} fresh processes…`);
  const bundle = await measureReviewBundle(IMPORT_SAMPLES);

  const ours = results[0];
  const obscenity = results.find((result) => result.name.startsWith('obscenity'));
  if (ours === undefined || obscenity === undefined) throw new Error('engine results are missing');
  const ratio = ours.messagesPerSecond / obscenity.messagesPerSecond;
  // Each round of ours ran right next to a round of obscenity: their ratio is immune to noise that comes and goes
  // between rounds, and the median ignores the rounds it did hit. The target is judged on it.
  const roundRatios = ours.roundMessagesPerSecond.map(
    (perSecond, round) => perSecond / (obscenity.roundMessagesPerSecond[round] ?? Number.NaN),
  );
  const medianRatio = percentile(
    [...roundRatios].sort((a, b) => a - b),
    0.5,
  );
  const verdict = (pass: boolean) => (pass ? 'PASS' : '**FAIL**');
  const kilobytes = (bytes: number) => `${formatNumber(bytes / 1024, 1)} KB`;
  const spread = ({ medianMs, p90Ms }: { medianMs: number; p90Ms: number }) =>
    `${formatNumber(medianMs, 2)} ms (p90 ${formatNumber(p90Ms, 2)} ms)`;

  const section = [
    `## Run ${startedAt}`,
    '',
    `Machine: ${machine()}`,
    '',
    `Corpus: ${formatNumber(corpus.length)} messages (seed 0x${CORPUS.seed.toString(16)}), ` +
      `${Math.min(...lengths)}–${Math.max(...lengths)} UTF-16 units (mean ${formatNumber(lengths.reduce((a, b) => a + b, 0) / lengths.length)}); ` +
      `${formatShare(profane, corpus.length)} carry a profane word, ${evaded} of them evaded. ` +
      `${TIMING.warmupPasses} warm-up passes, then ${TIMING.rounds} interleaved rounds ` +
      `(${formatNumber(TIMING.rounds * corpus.length)} timed calls per engine); the timer adds about ` +
      `${formatNumber(overhead)} ns to every call and is included.`,
    '',
    engineTable(results, corpus, obscenity.messagesPerSecond),
    '',
    `Ours ÷ obscenity round by round: ${roundRatios.map((value) => `${formatNumber(value, 2)}×`).join(', ')}; ` +
      `median ${formatNumber(medianRatio, 2)}× (over the whole run: ${formatNumber(ratio, 2)}×).`,
    '',
    table(
      [`Review bundle (${bundle.samples} fresh \`node\` processes)`, 'Median (p90)'],
      [
        ['Minified size', `${formatNumber(bundle.bytes)} bytes (${kilobytes(bundle.bytes)})`],
        ['`require(bundle)`', spread(bundle.importTime)],
        ['First `handler(event, context)` after import', spread(bundle.firstCall)],
        ['Second call (warm)', spread(bundle.secondCall)],
      ],
    ),
    '',
    table(
      ['Target', 'Measured', 'Result'],
      [
        [
          `Throughput ≥ ${THROUGHPUT_TARGET}× obscenity (median of rounds)`,
          `${formatNumber(medianRatio, 2)}×`,
          verdict(medianRatio >= THROUGHPUT_TARGET),
        ],
        [
          `Review bundle < ${BUNDLE_LIMIT_BYTES / 1024} KB minified`,
          kilobytes(bundle.bytes),
          verdict(bundle.bytes < BUNDLE_LIMIT_BYTES),
        ],
      ],
    ),
  ].join('\n');

  console.log(`\n${section}\n`);
  prependRun(REPORT_FILE, section);
  console.log(`Written to ${path.relative(process.cwd(), REPORT_FILE)}`);
}

// A missed target is a result (exit 0); a crash is not.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
