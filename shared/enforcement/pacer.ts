/**
 * A token bucket per operation: `acquire(operation)` resolves when the
 * operation may be called without exceeding its rate. IVS's quotas (100 TPS
 * for DeleteMessage, SendEvent and DisconnectUser) are per account and shared
 * by every concurrent invocation, so each invocation paces at
 * `quota ÷ concurrency` (its reserved concurrency); 429s that still happen
 * are retried by the executor.
 *
 * A caller that cannot know who else spends the quota (the reconciler shares it with every other tool in the
 * account) reports each throttling answer through `throttled(operation)`: the pacer then halves that
 * operation's rate and lets it climb back to the configured rate over `RECOVERY_MS`, the way the AWS SDK's
 * adaptive retry mode does, so retries stop competing with fresh calls for a quota that is already spent.
 */
export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** Time for a slowed operation to climb back from its floor to the configured rate. */
const RECOVERY_MS = 10_000;
/** Throttling answers come in bursts (every call in flight meets the same spent quota): one halving a second. */
const SLOWDOWN_SPACING_MS = 1_000;
/** A slowed operation keeps at least this share of its configured rate, so it always makes progress. */
const FLOOR_SHARE = 1 / 8;

interface Slowdown {
  /** The rate right after the last halving. */
  readonly rate: number;
  readonly at: number;
}

export class Pacer<Operation extends string> {
  private readonly buckets = new Map<Operation, { tokens: number; updatedAt: number }>();
  /** Calls wait their turn in order, per operation. */
  private readonly queues = new Map<Operation, Promise<void>>();
  private readonly slowdowns = new Map<Operation, Slowdown>();

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

  /** The rate `operation` is paced at now: the configured one, or less while it recovers from throttling. */
  rateOf(operation: Operation): number {
    const configured = this.ratePerSecond[operation];
    const slowdown = this.slowdowns.get(operation);
    if (slowdown === undefined) return configured;
    const climbed = ((this.clock.now() - slowdown.at) / RECOVERY_MS) * configured;
    return Math.min(configured, slowdown.rate + climbed);
  }

  /** Reports a throttling answer to a call of `operation`: its rate is halved, then recovers. */
  throttled(operation: Operation): void {
    const now = this.clock.now();
    const last = this.slowdowns.get(operation);
    if (last !== undefined && now - last.at < SLOWDOWN_SPACING_MS) return;
    const floor = this.ratePerSecond[operation] * FLOOR_SHARE;
    this.slowdowns.set(operation, { rate: Math.max(floor, this.rateOf(operation) / 2), at: now });
  }

  private async take(operation: Operation): Promise<void> {
    const bucket = this.buckets.get(operation) ?? {
      tokens: Math.max(1, this.ratePerSecond[operation]),
      updatedAt: this.clock.now(),
    };
    for (;;) {
      const rate = this.rateOf(operation);
      // A burst of at most one second's worth, so a quiet spell cannot bank a burst over the quota.
      const capacity = Math.max(1, rate);
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
