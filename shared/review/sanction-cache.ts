import type { Sanction } from '../enforcement/escalation.js';
import { isInForce } from '../enforcement/escalation.js';
import { BoundedCache } from './bounded-cache.js';

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
  sanctionTtlMs: 10_000,
  errorTtlMs: 1_000,
  maxEntries: 50_000,
};

export type SanctionLookup =
  | { readonly source: 'cache' | 'store'; readonly sanction: Sanction | undefined }
  /** The store did not answer in time or failed: review goes on (fail-open), with any stale cached sanction. */
  | { readonly source: 'timeout' | 'error'; readonly sanction: Sanction | undefined };

export class SanctionCache {
  private readonly cache: BoundedCache<Sanction>;

  constructor(
    fetch: (roomArn: string, userId: string) => Promise<Sanction | undefined>,
    options: SanctionCacheOptions = DEFAULT_SANCTION_CACHE,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new BoundedCache(
      (key) => {
        const [roomArn = '', userId = ''] = splitKey(key);
        return fetch(roomArn, userId);
      },
      {
        budgetMs: options.budgetMs,
        ttlMs: (sanction) => (sanction === undefined ? options.cleanTtlMs : options.sanctionTtlMs),
        errorTtlMs: options.errorTtlMs,
        maxEntries: options.maxEntries,
      },
      now,
    );
  }

  /** The user's sanction in force now, if any, within the budget. */
  async lookup(roomArn: string, userId: string): Promise<SanctionLookup> {
    // A room ARN has no newline, so the key splits back unambiguously whatever the user id holds.
    const { source, value } = await this.cache.lookup(`${roomArn}\n${userId}`);
    return { source, sanction: inForce(value, this.now()) };
  }
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\n');
  return [key.slice(0, at), key.slice(at + 1)];
}

function inForce(sanction: Sanction | undefined, now: number): Sanction | undefined {
  return sanction !== undefined && isInForce(sanction, now) ? sanction : undefined;
}
