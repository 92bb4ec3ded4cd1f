import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../shared/guards.js';
import { loadPolicyFile } from '../shared/policy/load-policy-file.js';
import { compilePolicy } from '../shared/rules/compile-policy.js';
import { evaluateMessage } from '../shared/rules/evaluate.js';
import type { EvalCase } from './eval-corpus.js';
import { formatNumber, table } from './report.js';

/**
 * `npm run eval`: the default policy over the evaluation corpus
 * (test/fixtures/eval/corpus.jsonl): recall per evasion class, false-positive
 * rate per clean class, and overall precision, recall and F1.
 */

const ROOT = path.resolve(__dirname, '..');
export const EVAL_CORPUS_FILE = path.join(ROOT, 'test/fixtures/eval/corpus.jsonl');

export function readEvalCorpus(file: string = EVAL_CORPUS_FILE): EvalCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      const value: unknown = JSON.parse(line);
      if (
        !isRecord(value) ||
        typeof value.text !== 'string' ||
        (value.expected !== 'flag' && value.expected !== 'clean') ||
        typeof value.class !== 'string'
      ) {
        throw new Error(`${file}:${index + 1}: not an evaluation case`);
      }
      return { text: value.text, expected: value.expected, class: value.class };
    });
}

export interface ClassScore {
  readonly class: string;
  readonly expected: 'flag' | 'clean';
  readonly total: number;
  /** Positives flagged, or negatives flagged (false positives). */
  readonly flagged: number;
  readonly misses: readonly string[];
}

export function scoreCorpus(cases: readonly EvalCase[], flags: (text: string) => boolean): ClassScore[] {
  const scores = new Map<
    string,
    { expected: 'flag' | 'clean'; total: number; flagged: number; misses: string[] }
  >();
  for (const entry of cases) {
    const score = scores.get(entry.class) ?? { expected: entry.expected, total: 0, flagged: 0, misses: [] };
    const flagged = flags(entry.text);
    score.total++;
    if (flagged) score.flagged++;
    if (flagged !== (entry.expected === 'flag')) score.misses.push(entry.text);
    scores.set(entry.class, score);
  }
  return [...scores].map(([name, score]) => ({ class: name, ...score }));
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${formatNumber((100 * part) / whole, 1)}%`;
}

export function report(scores: readonly ClassScore[]): string {
  const positives = scores.filter((score) => score.expected === 'flag');
  const negatives = scores.filter((score) => score.expected === 'clean');
  const truePositives = positives.reduce((sum, score) => sum + score.flagged, 0);
  const positiveTotal = positives.reduce((sum, score) => sum + score.total, 0);
  const falsePositives = negatives.reduce((sum, score) => sum + score.flagged, 0);
  const negativeTotal = negatives.reduce((sum, score) => sum + score.total, 0);
  const recall = truePositives / positiveTotal;
  const precision = truePositives / (truePositives + falsePositives);
  const f1 = (2 * precision * recall) / (precision + recall);
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
    `Overall: recall ${percent(truePositives, positiveTotal)}, false-positive rate ${percent(falsePositives, negativeTotal)}, ` +
      `precision ${formatNumber(100 * precision, 1)}%, F1 ${formatNumber(f1, 3)} ` +
      `(${positiveTotal} positives, ${negativeTotal} negatives).`,
  ].join('\n');
}

if (require.main === module) {
  const document = loadPolicyFile(path.join(ROOT, 'config/default-policy.yaml'));
  const cases = readEvalCorpus();
  const variants = [
    ['The default policy (every evasion reading on)', document],
    [
      'The default policy with the opt-in readings off (stretchedLetters, leetspeak: what a policy gets without them)',
      { ...document, settings: { ...document.settings, stretchedLetters: false, leetspeak: false } },
    ],
  ] as const;
  for (const [title, variant] of variants) {
    const policy = compilePolicy(variant);
    const scores = scoreCorpus(cases, (text) => evaluateMessage(text, {}, policy).verdict !== 'allow');
    console.log(`## ${title}\n\n${report(scores)}\n`);
  }
}
