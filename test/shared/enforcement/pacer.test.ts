import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/enforcement/pacer.js';
import { Pacer } from '../../../shared/enforcement/pacer.js';

/** Time that moves only when someone sleeps or the test advances it. */
function manualClock(): Clock & { advance(milliseconds: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (milliseconds) => {
      now += milliseconds;
    },
    advance: (milliseconds) => {
      now += milliseconds;
    },
  };
}

/** How long (ms of the clock) `count` calls take once the initial burst is spent. */
async function pacedMilliseconds(pacer: Pacer<'Call'>, clock: Clock, count: number): Promise<number> {
  const startedAt = clock.now();
  for (let call = 0; call < count; call++) await pacer.acquire('Call');
  return clock.now() - startedAt;
}

describe('the pacer', () => {
  it('allows a burst of one second’s worth, then the configured rate', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 10 }, clock);
    expect(await pacedMilliseconds(pacer, clock, 10)).toBe(0);
    expect(await pacedMilliseconds(pacer, clock, 20)).toBe(2_000);
  });

  it('keeps calls in order and at the rate when they are made concurrently', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 5 }, clock);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 15 }, (_, index) => pacer.acquire('Call').then(() => order.push(index))),
    );
    expect(order).toEqual(Array.from({ length: 15 }, (_, index) => index));
    expect(clock.now() - 1_000_000).toBe(2_000);
  });

  it('halves the rate of a throttled operation only, once for a burst of throttling answers', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 10, Other: 10 }, clock);
    pacer.throttled('Call');
    for (let answer = 0; answer < 15; answer++) pacer.throttled('Call');
    expect(pacer.rateOf('Call')).toBe(5);
    expect(pacer.rateOf('Other')).toBe(10);
    clock.advance(1_000);
    pacer.throttled('Call');
    expect(pacer.rateOf('Call')).toBeCloseTo(3, 5);
  });

  it('never slows an operation below an eighth of its rate', () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 16 }, clock);
    for (let second = 0; second < 20; second++) {
      pacer.throttled('Call');
      clock.advance(1_000);
    }
    pacer.throttled('Call');
    expect(pacer.rateOf('Call')).toBe(2);
  });

  it('climbs back to the configured rate over ten seconds without throttling', () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 20 }, clock);
    pacer.throttled('Call');
    expect(pacer.rateOf('Call')).toBe(10);
    clock.advance(2_500);
    expect(pacer.rateOf('Call')).toBe(15);
    clock.advance(2_500);
    expect(pacer.rateOf('Call')).toBe(20);
    clock.advance(60_000);
    expect(pacer.rateOf('Call')).toBe(20);
  });

  it('paces a slowed operation at its lower rate', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ Call: 10 }, clock);
    await pacedMilliseconds(pacer, clock, 10);
    pacer.throttled('Call');
    // At 5 a second, rising by 1 a second: five calls take about one second instead of half of one.
    const slowed = await pacedMilliseconds(pacer, clock, 5);
    expect(slowed).toBeGreaterThan(900);
    expect(slowed).toBeLessThan(1_000);
  });
});
