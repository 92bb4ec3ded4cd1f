/**
 * A token bucket per operation: `acquire(operation)` resolves when the
 * operation may be called without exceeding its rate. IVS's quotas (100 TPS
 * for DeleteMessage, SendEvent and DisconnectUser) are per account and shared
 * by every concurrent invocation, so each invocation paces at
 * `quota ÷ concurrency` (its reserved concurrency); 429s that still happen
 * are retried by the executor.
 */
export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

export class Pacer<Operation extends string> {
  private readonly buckets = new Map<Operation, { tokens: number; updatedAt: number }>();
  /** Calls wait their turn in order, per operation. */
  private readonly queues = new Map<Operation, Promise<void>>();

  constructor(
    private readonly ratePerSecond: Readonly<Record<Operation, number>>,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  acquire(operation: Operation): Promise<void> {
    const previous = this.queues.get(operation) ?? Promise.resolve();
    const turn = previous.then(() => this.take(operation));
    this.queues.set(operation, turn);
    return turn;
  }

  private async take(operation: Operation): Promise<void> {
    const rate = this.ratePerSecond[operation];
    // A burst of at most one second's worth, so a quiet spell cannot bank a burst over the quota.
    const capacity = Math.max(1, rate);
    const bucket = this.buckets.get(operation) ?? { tokens: capacity, updatedAt: this.clock.now() };
    for (;;) {
      const now = this.clock.now();
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) * rate) / 1000);
      bucket.updatedAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        this.buckets.set(operation, bucket);
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - bucket.tokens) * 1000) / rate));
    }
  }
}
