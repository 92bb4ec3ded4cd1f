import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../local/lambda-context.js';
import { oneAtATime } from '../../local/load-function.js';

describe('oneAtATime', () => {
  it('starts an invocation only when the one before it has ended, failed ones included', async () => {
    const log: string[] = [];
    const releases: (() => void)[] = [];
    const handler = oneAtATime(async (event) => {
      log.push(`start ${String(event)}`);
      await new Promise<void>((resolve) => releases.push(resolve));
      log.push(`end ${String(event)}`);
      if (event === 'a') throw new Error('a failed');
      return event;
    });
    const context = lambdaContext('consumer');
    const first = handler('a', context);
    const second = handler('b', context);
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a']);
    releases.shift()?.();
    await expect(first).rejects.toThrow('a failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a', 'end a', 'start b']);
    releases.shift()?.();
    await expect(second).resolves.toBe('b');
  });

  it('gives each invocation its whole time from when it starts, not from when it was queued', async () => {
    vi.useFakeTimers();
    try {
      let release: () => void = () => undefined;
      const remaining: number[] = [];
      const handler = oneAtATime(async (event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        if (event === 'slow') await new Promise<void>((resolve) => (release = resolve));
      });
      const first = handler('slow', lambdaContext('consumer', 60_000));
      const second = handler('next', lambdaContext('consumer', 60_000));
      await vi.advanceTimersByTimeAsync(20_000);
      release();
      await Promise.all([first, second]);
      // Queued for 20 s behind the first, the second still starts with its full minute.
      expect(remaining).toEqual([60_000, 60_000]);
    } finally {
      vi.useRealTimers();
    }
  });
});
