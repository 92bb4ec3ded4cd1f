import type { Sanction } from '../enforcement/escalation.js';
import { isInForce } from '../enforcement/escalation.js';

/**
 * The review handler's view of sanctions (timeouts, bans): a bounded cache in
 * front of the store, whose lookup never takes longer than its budget.
 *
 * Fail-open, by choice: when the store is slow or down, review goes on
 * without the sanction (a cached one still applies, even past its refresh
 * time). IVS gives the review handler 200 ms and itself fails open; failing
 * closed would silence every room whenever DynamoDB has trouble. A sanctioned
 * user who slips through this way is still reviewed by the policy, and the
 * log consumers see their messages and act again.
 */

export interface SanctionCacheOptions {
  /** The longest a lookup waits for the store. */
  readonly budgetMs: number;
  /** How long "no sanction" is trusted: a new timeout reaches review at most this late. */
  readonly cleanTtlMs: number;
  /** How long a found sanction is trusted before it is read again (a lifted ban takes this long). */
  readonly sanctionTtlMs: number;
  /** After a failed read, the store is left alone for this long for that user. */
  readonly errorTtlMs: number;
  readonly maxEntries: number;
}

export const DEFAULT_SANCTION_CACHE: SanctionCacheOptions = {
  budgetMs: 25,
  cleanTtlMs: 5_000,
  sanctionTtlMs: 30_000,
  errorTtlMs: 1_000,
  maxEntries: 50_000,
};

export type SanctionLookup =
  | { readonly source: 'cache' | 'store'; readonly sanction: Sanction | undefined }
  /** The store did not answer in time or failed: review goes on (fail-open), with any stale cached sanction. */
  | { readonly source: 'timeout' | 'error'; readonly sanction: Sanction | undefined };

interface Entry {
  readonly sanction: Sanction | undefined;
  readonly freshUntil: number;
}

export class SanctionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Sanction | undefined>>();

  constructor(
    private readonly fetch: (roomArn: string, userId: string) => Promise<Sanction | undefined>,
    private readonly options: SanctionCacheOptions = DEFAULT_SANCTION_CACHE,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user's sanction in force now, if any, within the budget. */
  async lookup(roomArn: string, userId: string): Promise<SanctionLookup> {
    const key = `${roomArn}\n${userId}`;
    const cached = this.entries.get(key);
    const now = this.now();
    if (cached !== undefined && cached.freshUntil > now)
      return { source: 'cache', sanction: inForce(cached.sanction, now) };
    const stale = inForce(cached?.sanction, now);
    const read = this.read(key, roomArn, userId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.budgetMs);
    });
    try {
      const result = await Promise.race([read, timeout]);
      if (result === 'timeout') return { source: 'timeout', sanction: stale };
      if ('error' in result) return { source: 'error', sanction: stale };
      return { source: 'store', sanction: inForce(result.sanction, this.now()) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** One read per key at a time; it fills the cache when it ends, even after the lookup gave up on it. */
  private read(
    key: string,
    roomArn: string,
    userId: string,
  ): Promise<{ sanction: Sanction | undefined } | { error: unknown }> {
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.fetch(roomArn, userId);
      this.inFlight.set(key, pending);
      pending
        .then(
          (sanction) =>
            this.remember(
              key,
              sanction,
              sanction === undefined ? this.options.cleanTtlMs : this.options.sanctionTtlMs,
            ),
          () => this.remember(key, this.entries.get(key)?.sanction, this.options.errorTtlMs),
        )
        .finally(() => this.inFlight.delete(key));
    }
    return pending.then(
      (sanction) => ({ sanction }),
      (error: unknown) => ({ error }),
    );
  }

  private remember(key: string, sanction: Sanction | undefined, ttlMs: number): void {
    this.entries.delete(key);
    // Oldest first in a Map: the first key is the one to evict.
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { sanction, freshUntil: this.now() + ttlMs });
  }
}

function inForce(sanction: Sanction | undefined, now: number): Sanction | undefined {
  return sanction !== undefined && isInForce(sanction, now) ? sanction : undefined;
}
