/**
 * A cache in front of a slow store whose lookup never waits longer than its
 * budget: what the review handler needs for everything it reads (sanctions,
 * a room's policy assignment) inside IVS's 200 ms. A read that outlives the
 * budget still fills the cache when it ends; one read per key at a time; a
 * failed read keeps the stale value and leaves the store alone for a while.
 */

export interface BoundedCacheOptions<Value> {
  /** The longest a lookup waits for the store. */
  readonly budgetMs: number;
  /** How long a value read from the store is trusted. */
  readonly ttlMs: (value: Value | undefined) => number;
  /** After a failed read, the store is left alone for this long for that key. */
  readonly errorTtlMs: number;
  readonly maxEntries: number;
}

export type BoundedLookup<Value> =
  | { readonly source: 'cache' | 'store'; readonly value: Value | undefined }
  /** The store did not answer in time or failed: the stale cached value, if any. */
  | { readonly source: 'timeout' | 'error'; readonly value: Value | undefined };

interface Entry<Value> {
  readonly value: Value | undefined;
  readonly freshUntil: number;
}

export class BoundedCache<Value> {
  private readonly entries = new Map<string, Entry<Value>>();
  private readonly inFlight = new Map<string, Promise<Value | undefined>>();

  constructor(
    private readonly fetch: (key: string) => Promise<Value | undefined>,
    private readonly options: BoundedCacheOptions<Value>,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(key: string): Promise<BoundedLookup<Value>> {
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.freshUntil > this.now())
      return { source: 'cache', value: cached.value };
    const stale = cached?.value;
    const read = this.read(key);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.budgetMs);
    });
    try {
      const result = await Promise.race([read, timeout]);
      if (result === 'timeout') return { source: 'timeout', value: stale };
      if ('error' in result) return { source: 'error', value: stale };
      return { source: 'store', value: result.value };
    } finally {
      clearTimeout(timer);
    }
  }

  private read(key: string): Promise<{ value: Value | undefined } | { error: unknown }> {
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.fetch(key);
      this.inFlight.set(key, pending);
      pending
        .then(
          (value) => this.remember(key, value, this.options.ttlMs(value)),
          () => this.remember(key, this.entries.get(key)?.value, this.options.errorTtlMs),
        )
        .finally(() => this.inFlight.delete(key));
    }
    return pending.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  }

  private remember(key: string, value: Value | undefined, ttlMs: number): void {
    this.entries.delete(key);
    // Oldest first in a Map: the first key is the one to evict.
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, freshUntil: this.now() + ttlMs });
  }
}
