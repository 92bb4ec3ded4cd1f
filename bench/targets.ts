import { formatNumber, formatShare, table } from './report.js';
import type { ClassScore, Summary } from './scoring.js';
import { classRate, summarize } from './scoring.js';

/**
 * The targets, judged on measured numbers. Pure, so the verdicts (and the comparisons behind
 * them: strict or not, which class is the worst) are unit tested rather than read off a run.
 */

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

export function targetTable(results: readonly TargetResult[]): string {
  return table(
    ['Target', 'Measured', 'Result'],
    results.map(({ target, measured, pass }) => [target, measured, pass ? 'PASS' : '**FAIL**']),
  );
}

/** Percentages, as the issue states them. */
export const EVAL_TARGETS = {
  recallPercent: 98,
  classRecallPercent: 95,
  falsePositivePercent: 0.5,
  scunthorpeFalsePositivePercent: 1,
} as const;

export type EvalTargets = { readonly [Key in keyof typeof EVAL_TARGETS]: number };

export const SCUNTHORPE_CLASS = 'scunthorpe';

const percent = (share: number) => (Number.isNaN(share) ? 'n/a' : `${formatNumber(100 * share, 1)}%`);

/** Compared on counts (`100 × part` against `threshold × whole`), so 49/50 meets 98% without rounding doubt. */
const atLeastPercent = (part: number, whole: number, percent: number) =>
  whole > 0 && 100 * part >= percent * whole;
const atMostPercent = (part: number, whole: number, percent: number) =>
  whole > 0 && 100 * part <= percent * whole;

/** The evaluation corpus targets of `npm run eval`; per-class ones name the class that decides them. */
export function evalTargets(
  scores: readonly ClassScore[],
  targets: EvalTargets = EVAL_TARGETS,
): TargetResult[] {
  const summary = summarize(scores);
  const positives = scores.filter((score) => score.expected === 'flag');
  // The lowest recall decides "every class"; the first such class in corpus order is named.
  const worst = positives.reduce<ClassScore | undefined>(
    (lowest, score) => (lowest === undefined || classRate(score) < classRate(lowest) ? score : lowest),
    undefined,
  );
  const scunthorpe = scores.find((score) => score.class === SCUNTHORPE_CLASS && score.expected === 'clean');
  return [
    {
      target: `Recall ≥ ${targets.recallPercent}% overall`,
      measured: formatShare(summary.truePositives, summary.positives),
      pass: atLeastPercent(summary.truePositives, summary.positives, targets.recallPercent),
    },
    {
      target: `Recall ≥ ${targets.classRecallPercent}% in every evasion class`,
      measured:
        worst === undefined
          ? 'no evasion class'
          : positives.every((score) => classRate(score) === classRate(worst))
            ? `all ${positives.length} classes at ${percent(classRate(worst))}`
            : `worst: ${worst.class} ${formatShare(worst.flagged, worst.total)}`,
      pass:
        worst !== undefined &&
        positives.every((score) => atLeastPercent(score.flagged, score.total, targets.classRecallPercent)),
    },
    {
      target: `False-positive rate ≤ ${targets.falsePositivePercent}% overall`,
      measured: formatShare(summary.falsePositives, summary.negatives),
      pass: atMostPercent(summary.falsePositives, summary.negatives, targets.falsePositivePercent),
    },
    {
      target: `False-positive rate ≤ ${targets.scunthorpeFalsePositivePercent}% in the ${SCUNTHORPE_CLASS} class`,
      measured:
        scunthorpe === undefined ? 'class missing' : formatShare(scunthorpe.flagged, scunthorpe.total),
      pass:
        scunthorpe !== undefined &&
        atMostPercent(scunthorpe.flagged, scunthorpe.total, targets.scunthorpeFalsePositivePercent),
    },
  ];
}

export interface EngineQuality {
  readonly name: string;
  readonly summary: Summary;
}

/**
 * Ours against every peer, strictly: recall higher than the best peer's, false-positive rate lower than the
 * lowest peer's. A tie is not a win (two engines at 0% false positives are equal, not one lower), and the
 * measured cell says when the closest peer tied.
 */
export function peerTargets(ours: EngineQuality, peers: readonly EngineQuality[]): TargetResult[] {
  const closest = (better: (a: number, b: number) => boolean, rate: (summary: Summary) => number) =>
    peers.reduce<EngineQuality | undefined>(
      (best, peer) => (best === undefined || better(rate(peer.summary), rate(best.summary)) ? peer : best),
      undefined,
    );
  const compare = (
    label: string,
    better: (a: number, b: number) => boolean,
    rate: (summary: Summary) => number,
  ): TargetResult => {
    const peer = closest(better, rate);
    const mine = rate(ours.summary);
    if (peer === undefined) return { target: label, measured: 'no peer measured', pass: false };
    const theirs = rate(peer.summary);
    const tie = mine === theirs ? ' (a tie: not strictly better)' : '';
    return {
      target: label,
      measured: `${percent(mine)} vs ${peer.name} ${percent(theirs)}${tie}`,
      pass: better(mine, theirs),
    };
  };
  return [
    compare(
      "Recall (evaluation corpus) strictly higher than every peer's",
      (a, b) => a > b,
      (summary) => summary.recall,
    ),
    compare(
      "False-positive rate (evaluation corpus) strictly lower than every peer's",
      (a, b) => a < b,
      (summary) => summary.falsePositiveRate,
    ),
  ];
}
