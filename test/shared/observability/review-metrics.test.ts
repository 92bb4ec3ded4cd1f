import { describe, expect, it } from 'vitest';
import { reviewMetricLines } from '../../../shared/observability/review-metrics.js';

const clean = { result: 'ALLOW', ruleIds: [], failure: undefined } as const;

describe('reviewMetricLines', () => {
  it('writes one line for a clean message: the review by Result and in total, and its latency', () => {
    expect(
      reviewMetricLines(clean, { latencyMs: 1.23456, lookups: [undefined, { source: 'cache' }] }),
    ).toEqual([
      {
        dimensionSets: [{}, { Result: 'ALLOW' }],
        metrics: [
          { name: 'Reviews', unit: 'Count', value: 1 },
          { name: 'ReviewLatency', unit: 'Milliseconds', value: 1.23 },
        ],
      },
    ]);
  });

  it('adds a line per matched rule, with the message verdict, the sanction counting as a rule', () => {
    const lines = reviewMetricLines(
      { result: 'DENY', ruleIds: ['slurs', 'profanity'], failure: undefined },
      { latencyMs: 3, lookups: [] },
    );
    expect(lines.map((line) => line.dimensionSets)).toEqual([
      [{}, { Result: 'DENY' }],
      [{ Rule: 'slurs', Result: 'DENY' }],
      [{ Rule: 'profanity', Result: 'DENY' }],
    ]);
    expect(lines.slice(1).map((line) => line.metrics)).toEqual([
      [{ name: 'RuleMatchesByRule', unit: 'Count', value: 1 }],
      [{ name: 'RuleMatchesByRule', unit: 'Count', value: 1 }],
    ]);
    expect(
      reviewMetricLines(
        { result: 'HOLD', ruleIds: ['sanction'], failure: undefined },
        { latencyMs: 1, lookups: [] },
      )[1],
    ).toMatchObject({ dimensionSets: [{ Rule: 'sanction', Result: 'HOLD' }] });
  });

  it('counts an unreviewable event as a failure, under the verdict it was given', () => {
    const [line] = reviewMetricLines(
      { result: 'DENY', ruleIds: [], failure: 'content is longer than maxContentLength' },
      { latencyMs: 0.5, lookups: [] },
    );
    expect(line?.dimensionSets).toEqual([{}, { Result: 'DENY' }]);
    expect(line?.metrics).toContainEqual({ name: 'ReviewFailures', unit: 'Count', value: 1 });
  });

  it('counts the lookups that timed out or failed, and only those', () => {
    const failedOpen = (...sources: (string | undefined)[]) =>
      reviewMetricLines(clean, {
        latencyMs: 1,
        lookups: sources.map((source) => (source === undefined ? undefined : { source })),
      })[0]?.metrics.find((metric) => metric.name === 'ReviewLookupsFailedOpen')?.value;
    expect(failedOpen('timeout', 'error')).toBe(2);
    expect(failedOpen('store', 'timeout')).toBe(1);
    expect(failedOpen('cache', 'store', undefined)).toBeUndefined();
  });
});
