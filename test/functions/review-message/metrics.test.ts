import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../local/lambda-context.js';
import { captureEmfInEachTest, TEST_NAMESPACE, TEST_SERVICE } from '../../helpers/emf.js';
import { loadEvent } from '../../helpers/load-event.js';

/** The handler and its logger, loaded after captureEmf turned metrics on, as at a cold start. */
async function load() {
  vi.resetModules();
  const { handler } = await import('../../../functions/review-message/handler.js');
  const { logger } = await import('../../../shared/observability/logger.js');
  return {
    logger,
    review: (event: unknown) => handler(event, lambdaContext('ivs-chat-moderation-test-reviewMessage')),
  };
}

describe('review-message metrics (EMF)', () => {
  const capture = captureEmfInEachTest();

  it('writes one line per clean message: Reviews by Result and in total, and the latency', async () => {
    const { review } = await load();
    await review(loadEvent('review-message', 'allow-plain'));
    const [line, ...rest] = capture().lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      namespace: TEST_NAMESPACE,
      dimensionSets: [['service'], ['service', 'Result']],
      units: { Reviews: 'Count', ReviewLatency: 'Milliseconds' },
      fields: { service: TEST_SERVICE, Result: 'ALLOW', Reviews: 1 },
    });
    expect(Object.keys(line?.fields ?? {}).sort()).toEqual(['Result', 'ReviewLatency', 'Reviews', 'service']);
    expect(line?.fields.ReviewLatency).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['deny-slur', 'DENY', 'slurs'],
    ['mask-profanity', 'MASK', 'profanity'],
  ])('counts %s under its verdict, and its rule by rule and verdict', async (scenario, result, rule) => {
    const { review } = await load();
    await review(loadEvent('review-message', scenario));
    const [line, ruleLine, ...rest] = capture().lines();
    expect(rest).toEqual([]);
    expect(line?.fields).toMatchObject({ Result: result, Reviews: 1 });
    expect(ruleLine).toEqual({
      namespace: TEST_NAMESPACE,
      dimensionSets: [['service', 'Rule', 'Result']],
      units: { RuleMatchesByRule: 'Count' },
      fields: { service: TEST_SERVICE, Rule: rule, Result: result, RuleMatchesByRule: 1 },
    });
  });

  it('counts an event it could not review as a failure', async () => {
    const { review } = await load();
    const response = await review(loadEvent('review-message', 'malformed'));
    expect(capture().lines()).toHaveLength(1);
    expect(capture().lines()[0]).toMatchObject({
      dimensionSets: [['service'], ['service', 'Result']],
      units: { ReviewFailures: 'Count' },
      fields: { Result: response.ReviewResult, Reviews: 1, ReviewFailures: 1 },
    });
  });

  it('counts a sanction lookup that failed, the message reviewed without it', async () => {
    vi.stubEnv('ENFORCEMENT_TABLE', 'enforcement');
    vi.stubEnv('DYNAMODB_ENDPOINT', 'http://127.0.0.1:9'); // nothing listens on the discard port
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const { review } = await load();
    const response = await review(loadEvent('review-message', 'allow-plain'));
    expect(response.ReviewResult).toBe('ALLOW');
    expect(capture().lines()[0]?.fields).toMatchObject({ Result: 'ALLOW', ReviewLookupsFailedOpen: 1 });
  });

  it('answers as ever when the metrics cannot be written, and logs why', async () => {
    const { review, logger } = await load();
    const event = loadEvent('review-message', 'deny-slur');
    const answered = await review(event);
    const logged = vi.spyOn(logger, 'error');
    capture().log.mockImplementation(() => {
      throw new Error('EPIPE: stdout closed');
    });
    expect(await review(event)).toEqual(answered);
    expect(logged).toHaveBeenCalledWith('metrics not published', { error: expect.any(Error) });
  });
});
