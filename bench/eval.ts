import path from 'node:path';
import { loadPolicyFile } from '../shared/policy/load-policy-file.js';
import { compilePolicy } from '../shared/rules/compile-policy.js';
import { evaluateMessage } from '../shared/rules/evaluate.js';
import { formatNumber, table } from './report.js';
import type { ClassScore } from './scoring.js';
import { readEvalCorpus, scoreCorpus, summarize } from './scoring.js';
import { evalTargets, targetTable } from './targets.js';

/**
 * `npm run eval`: the default policy over the evaluation corpus
 * (test/fixtures/eval/corpus.jsonl): the issue's targets, recall per evasion
 * class, false-positive rate per clean class, and overall precision, recall
 * and F1.
 */

const ROOT = path.resolve(__dirname, '..');

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${formatNumber((100 * part) / whole, 1)}%`;
}

export function report(scores: readonly ClassScore[]): string {
  const positives = scores.filter((score) => score.expected === 'flag');
  const negatives = scores.filter((score) => score.expected === 'clean');
  const summary = summarize(scores);
  const example = (score: ClassScore) =>
    score.misses[0] === undefined ? '' : JSON.stringify(score.misses[0]);
  return [
    table(
      ['Evasion class', 'Recall', 'Flagged', 'A miss'],
      positives.map((score) => [
        score.class,
        percent(score.flagged, score.total),
        `${score.flagged}/${score.total}`,
        example(score),
      ]),
    ),
    '',
    table(
      ['Clean class', 'False-positive rate', 'Flagged', 'A false positive'],
      negatives.map((score) => [
        score.class,
        percent(score.flagged, score.total),
        `${score.flagged}/${score.total}`,
        example(score),
      ]),
    ),
    '',
    `Overall: recall ${percent(summary.truePositives, summary.positives)}, ` +
      `false-positive rate ${percent(summary.falsePositives, summary.negatives)}, ` +
      `precision ${Number.isNaN(summary.precision) ? 'n/a' : `${formatNumber(100 * summary.precision, 1)}%`}, ` +
      `F1 ${formatNumber(summary.f1, 3)} (${summary.positives} positives, ${summary.negatives} negatives).`,
  ].join('\n');
}

function main(): void {
  const document = loadPolicyFile(path.join(ROOT, 'config/default-policy.yaml'));
  const cases = readEvalCorpus();
  const variants = [
    ['The default policy (every evasion reading on)', document, true],
    [
      'The default policy with the opt-in readings off (stretchedLetters, leetspeak: what a policy gets without them)',
      { ...document, settings: { ...document.settings, stretchedLetters: false, leetspeak: false } },
      false,
    ],
  ] as const;
  for (const [title, variant, judged] of variants) {
    const policy = compilePolicy(variant);
    const scores = scoreCorpus(cases, (text) => evaluateMessage(text, {}, policy).verdict !== 'allow');
    // The targets are the default policy's; the variant is context for what the opt-in readings buy.
    const targets = judged ? `${targetTable(evalTargets(scores))}\n\n` : '';
    console.log(`## ${title}\n\n${targets}${report(scores)}\n`);
  }
}

if (require.main === module) {
  // A missed target is a result (exit 0); a crash is not.
  try {
    main();
  } catch (error: unknown) {
    console.error(error);
    process.exitCode = 1;
  }
}
