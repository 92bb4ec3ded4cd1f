import { describe, expect, it } from 'vitest';
import { passed } from '../../bench/load-checks.js';
import { runLoadTest } from '../../bench/load-run.js';

/**
 * `npm run load-test` at CI size: the same stack, clients, drain and checks, with a few clients for a few
 * seconds. The flood window is shortened so that the flooder meets the ladder within the run; half the chat
 * log batches are delivered twice.
 */
describe('the load test at CI size', () => {
  it('reviews every message once, logs every delivered one once and executes every planned action once', async () => {
    const result = await runLoadTest({
      clients: 6,
      flooders: 1,
      ratePerSecond: 20,
      durationSeconds: 4,
      floodFactor: 5,
      floodWindowSeconds: 2,
      redeliverShare: 0.5,
      chatLogDelayMs: 200,
      consumerConcurrency: 1,
      seed: 0xc1,
    });

    const failed = result.checks.filter((check) => !passed(check));
    expect(failed).toEqual([]);
    const { summary } = result;
    // The checks looked at something: messages of every kind, a redelivery, and the flood's actions.
    expect(summary.slots).toBe(80);
    // A send outstanding when moderation disconnected its sender may never have left the client (the checks
    // allow for it); every other accepted send was reviewed.
    expect(summary.reviewed).toBeGreaterThanOrEqual(summary.sent - summary.throttled - summary.unanswered);
    expect(summary.reviewed).toBeLessThanOrEqual(summary.sent - summary.throttled);
    expect(summary.reviewMs.count).toBe(summary.reviewed);
    expect(summary.delivered).toBeGreaterThan(0);
    expect(summary.masked + summary.denied).toBeGreaterThan(0);
    // The same holds for the logs: a message IVS delivered after disconnecting its sender is logged, but its
    // sender never heard back.
    expect(summary.loggedMessages).toBeGreaterThanOrEqual(summary.delivered);
    expect(summary.loggedMessages).toBeLessThanOrEqual(summary.delivered + summary.unanswered);
    expect(summary.redeliveries).toBeGreaterThan(0);
    const deletions = summary.actions.find((action) => action.kind === 'delete-message');
    expect(deletions?.planned).toBeGreaterThan(0);
    expect(deletions?.executed).toBe(deletions?.planned);
  }, 120_000);
});
