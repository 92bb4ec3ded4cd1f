import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/corpus.js';
import { floodLimitFor, planTraffic, userLines } from '../../bench/load-traffic.js';
import { readEvalCorpus } from '../../bench/scoring.js';

/** The most slots any user has in any window of `windowSlots` consecutive slots. */
function busiestWindow(slots: readonly number[], user: number, windowSlots: number): number {
  let most = 0;
  for (let start = 0; start + windowSlots <= slots.length; start++)
    most = Math.max(most, slots.slice(start, start + windowSlots).filter((slot) => slot === user).length);
  return most;
}

describe('planTraffic', () => {
  const options = {
    clients: 20,
    flooders: 2,
    ratePerSecond: 100,
    durationSeconds: 30,
    floodFactor: 3,
    seed: 1,
  };
  const traffic = planTraffic(options);

  it('deals the room’s rate for the whole duration among the users, flooders at floodFactor times a chatter', () => {
    expect(traffic.slots).toHaveLength(3_000);
    expect(traffic.intervalMs).toBe(10);
    expect(traffic.users.filter((user) => user.role === 'flooder').map((user) => user.userId)).toEqual([
      'flooder-09',
      'flooder-19',
    ]);
    const total = traffic.users.reduce((sum, user) => sum + user.ratePerSecond, 0);
    expect(total).toBeCloseTo(100);
    expect(traffic.flooderRatePerSecond).toBeCloseTo(3 * traffic.chatterRatePerSecond);
    traffic.users.forEach((user, index) => {
      const share = traffic.slots.filter((slot) => slot === index).length;
      expect(Math.abs(share - user.ratePerSecond * 30)).toBeLessThanOrEqual(1);
    });
  });

  it('keeps every chatter under the flood limit in any window, and every flooder over it', () => {
    const windowSeconds = 10;
    const limit = floodLimitFor(traffic.chatterRatePerSecond, windowSeconds);
    const windowSlots = windowSeconds * options.ratePerSecond;
    traffic.users.forEach((user, index) => {
      const most = busiestWindow(traffic.slots, index, windowSlots);
      if (user.role === 'chatter') expect(most).toBeLessThanOrEqual(limit);
      else expect(most).toBeGreaterThan(limit);
    });
  });

  it('refuses impossible traffic', () => {
    expect(() => planTraffic({ ...options, flooders: 21 })).toThrow(RangeError);
    expect(() => planTraffic({ ...options, clients: 0 })).toThrow(RangeError);
    expect(() => planTraffic({ ...options, floodFactor: 0.5 })).toThrow(RangeError);
  });
});

describe('userLines', () => {
  it('gives each user every corpus line once before any repeats, each in its own order', () => {
    const corpus = readEvalCorpus();
    const next = userLines(corpus, 2, seededRandom(7));
    const first = Array.from({ length: corpus.length }, () => next(0));
    const second = Array.from({ length: corpus.length }, () => next(1));
    expect(new Set(first)).toEqual(new Set(corpus));
    expect(first).not.toEqual(second);
    expect(next(0)).toBe(first[0]);
  });
});
