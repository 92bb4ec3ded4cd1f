import type { ReviewOutcome } from '../review/review-message.js';
import type { MetricLine, MetricValue } from './metric-line.js';
import { DIMENSION, METRIC } from './metric-names.js';

export interface ReviewMeasurement {
  /** The handler's own time, lookups and the held-message write included. */
  readonly latencyMs: number;
  /** The sanction and policy-assignment lookups made (undefined: not made). */
  readonly lookups: readonly ({ readonly source: string } | undefined)[];
}

/**
 * A review's metrics, as the lines to write. The first line carries the counts and the latency under two
 * dimension sets, `service` (what alarms read) and `service, Result`: one line per message, at the price of
 * the latency and failure counts being kept by Result as well. A message that rules matched adds a line per
 * rule (the Rule dimension takes one value per line); the sanction that refused a sender counts as the rule
 * `sanction`.
 */
export function reviewMetricLines(
  outcome: Pick<ReviewOutcome, 'result' | 'ruleIds' | 'failure'>,
  { latencyMs, lookups }: ReviewMeasurement,
): MetricLine[] {
  const metrics: MetricValue[] = [
    { name: METRIC.reviews, unit: 'Count', value: 1 },
    // Hundredths of a millisecond: finer is noise, and every digit is logged per message.
    { name: METRIC.reviewLatency, unit: 'Milliseconds', value: Math.round(latencyMs * 100) / 100 },
  ];
  if (outcome.failure !== undefined) metrics.push({ name: METRIC.reviewFailures, unit: 'Count', value: 1 });
  const failedOpen = lookups.filter(
    (lookup) => lookup?.source === 'timeout' || lookup?.source === 'error',
  ).length;
  if (failedOpen > 0)
    metrics.push({ name: METRIC.reviewLookupsFailedOpen, unit: 'Count', value: failedOpen });
  const lines: MetricLine[] = [{ dimensionSets: [{}, { [DIMENSION.result]: outcome.result }], metrics }];
  for (const rule of outcome.ruleIds) {
    lines.push({
      dimensionSets: [{ [DIMENSION.rule]: rule, [DIMENSION.result]: outcome.result }],
      metrics: [{ name: METRIC.ruleMatches, unit: 'Count', value: 1 }],
    });
  }
  return lines;
}
