import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../shared/guards.js';
import type { EvalCase } from './eval-corpus.js';

/**
 * Scoring of any flagging function on the evaluation corpus, shared by `npm run eval` (our policy) and
 * `npm run bench` (every engine). No engine is imported here: the bench bundles this module and must time
 * only the minified engine it loads itself.
 */

// From source (tsx) or from the bundled harness in .bench/: either way the repository is one level up.
export const EVAL_CORPUS_FILE = path.resolve(__dirname, '..', 'test/fixtures/eval/corpus.jsonl');

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

export interface Summary {
  readonly truePositives: number;
  readonly positives: number;
  readonly falsePositives: number;
  readonly negatives: number;
  /** Shares in [0, 1]; NaN when undefined (no positives, no negatives, nothing flagged). */
  readonly recall: number;
  readonly falsePositiveRate: number;
  readonly precision: number;
  readonly f1: number;
}

export function summarize(scores: readonly ClassScore[]): Summary {
  const sum = (expected: 'flag' | 'clean', field: 'flagged' | 'total') =>
    scores.reduce((total, score) => (score.expected === expected ? total + score[field] : total), 0);
  const truePositives = sum('flag', 'flagged');
  const positives = sum('flag', 'total');
  const falsePositives = sum('clean', 'flagged');
  const negatives = sum('clean', 'total');
  const recall = positives === 0 ? Number.NaN : truePositives / positives;
  const flagged = truePositives + falsePositives;
  const precision = flagged === 0 ? Number.NaN : truePositives / flagged;
  return {
    truePositives,
    positives,
    falsePositives,
    negatives,
    recall,
    falsePositiveRate: negatives === 0 ? Number.NaN : falsePositives / negatives,
    precision,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

/** A class's rate: recall for an evasion class, false-positive rate for a clean class. */
export const classRate = (score: ClassScore): number =>
  score.total === 0 ? Number.NaN : score.flagged / score.total;
