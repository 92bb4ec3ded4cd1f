import { describe, expect, it, vi } from 'vitest';
import type { MetricLine } from '../../../shared/observability/metric-line.js';
import { captureEmfInEachTest, TEST_NAMESPACE, TEST_SERVICE } from '../../helpers/emf.js';

const review: MetricLine = {
  dimensionSets: [{}, { Result: 'MASK' }],
  metrics: [
    { name: 'Reviews', unit: 'Count', value: 1 },
    { name: 'ReviewLatency', unit: 'Milliseconds', value: 2.5 },
  ],
};
const rule: MetricLine = {
  dimensionSets: [{ Rule: 'profanity', Result: 'MASK' }],
  metrics: [{ name: 'RuleMatchesByRule', unit: 'Count', value: 1 }],
};

/** The publisher and the logger, fresh, as a function's bundle loads them with metrics on. */
async function load() {
  vi.resetModules();
  const { publishMetricLines } = await import('../../../shared/observability/publish-metric-lines.js');
  const { logger } = await import('../../../shared/observability/logger.js');
  return { publishMetricLines, logger };
}

describe('publishMetricLines, through Powertools, as EMF', () => {
  const capture = captureEmfInEachTest();

  it('writes each line with its own dimension sets, service in each, and its metrics with their units', async () => {
    const { publishMetricLines } = await load();
    publishMetricLines(() => [review, rule]);
    expect(capture().lines()).toEqual([
      {
        namespace: TEST_NAMESPACE,
        dimensionSets: [['service'], ['service', 'Result']],
        units: { Reviews: 'Count', ReviewLatency: 'Milliseconds' },
        fields: { service: TEST_SERVICE, Result: 'MASK', Reviews: 1, ReviewLatency: 2.5 },
      },
      {
        namespace: TEST_NAMESPACE,
        dimensionSets: [['service', 'Rule', 'Result']],
        units: { RuleMatchesByRule: 'Count' },
        fields: { service: TEST_SERVICE, Rule: 'profanity', Result: 'MASK', RuleMatchesByRule: 1 },
      },
    ]);
  });

  it('starts every call afresh: nothing of one call is in the next', async () => {
    const { publishMetricLines } = await load();
    publishMetricLines(() => [rule]);
    publishMetricLines(() => [review]);
    expect(capture().lines()[1]?.dimensionSets).toEqual([['service'], ['service', 'Result']]);
    expect(capture().lines()[1]?.fields).not.toHaveProperty('Rule');
  });

  it('logs and swallows a failure to write, and what it left stored does not leak into the next line', async () => {
    const { publishMetricLines, logger } = await load();
    const logged = vi.spyOn(logger, 'error');
    capture().log.mockImplementationOnce(() => {
      throw new Error('EPIPE: stdout closed');
    });
    expect(() => publishMetricLines(() => [review])).not.toThrow();
    expect(logged).toHaveBeenCalledWith('metrics not published', { error: expect.any(Error) });

    publishMetricLines(() => [rule]);
    expect(capture().lines()).toHaveLength(1);
    expect(capture().lines()[0]?.dimensionSets).toEqual([['service', 'Rule', 'Result']]);
    expect(capture().lines()[0]?.fields).toEqual({
      service: TEST_SERVICE,
      Rule: 'profanity',
      Result: 'MASK',
      RuleMatchesByRule: 1,
    });
  });

  it('swallows a failure to build the lines, and one half-way through a line', async () => {
    const { publishMetricLines, logger } = await load();
    const logged = vi.spyOn(logger, 'error');
    expect(() =>
      publishMetricLines(() => {
        throw new Error('bug');
      }),
    ).not.toThrow();
    // A dimension set Powertools refuses (over 29 dimensions), after one it stored.
    const refused: MetricLine = {
      dimensionSets: [
        { Result: 'DENY' },
        Object.fromEntries(Array.from({ length: 30 }, (_, at) => [`D${at}`, 'x'])),
      ],
      metrics: [{ name: 'Reviews', unit: 'Count', value: 1 }],
    };
    expect(() => publishMetricLines(() => [refused])).not.toThrow();
    expect(logged).toHaveBeenCalledTimes(2);

    publishMetricLines(() => [rule]);
    expect(capture().lines()).toHaveLength(1);
    expect(capture().lines()[0]?.units).toEqual({ RuleMatchesByRule: 'Count' });
    expect(capture().lines()[0]?.dimensionSets).toEqual([['service', 'Rule', 'Result']]);
  });

  it('writes nothing while POWERTOOLS_METRICS_DISABLED is true, as in the other tests', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { publishMetricLines } = await load();
    publishMetricLines(() => [review, rule]);
    expect(capture().log).not.toHaveBeenCalled();
  });
});
