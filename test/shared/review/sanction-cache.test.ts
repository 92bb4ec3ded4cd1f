import { describe, expect, it } from 'vitest';
import type { Sanction } from '../../../shared/enforcement/escalation.js';
import { reviewMessage, SANCTION_RULE_ID } from '../../../shared/review/review-message.js';
import { SanctionCache } from '../../../shared/review/sanction-cache.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';
const OPTIONS = { budgetMs: 20, cleanTtlMs: 1_000, sanctionTtlMs: 5_000, errorTtlMs: 500, maxEntries: 2 };
const ban: Sanction = { kind: 'ban', reason: 'spam' };

/** A store read that answers after `delayMs` with `sanction`, or fails; counts its calls. */
function store(answer: () => Promise<Sanction | undefined>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetch: () => {
      calls++;
      return answer();
    },
  };
}
const resolveAfter = <T>(delayMs: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), delayMs));

describe('SanctionCache', () => {
  it('reads the store once, then answers from memory while fresh', async () => {
    let now = 0;
    const backing = store(async () => ban);
    const cache = new SanctionCache(backing.fetch, OPTIONS, () => now);
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'store', sanction: ban });
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'cache', sanction: ban });
    now = 6_000;
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'store', sanction: ban });
    expect(backing.calls).toBe(2);
  });

  it('drops a timeout once it has expired, without asking the store', async () => {
    let now = 0;
    const cache = new SanctionCache(
      store(async () => ({ kind: 'timeout', untilMillis: 100, reason: 'flood' })).fetch,
      OPTIONS,
      () => now,
    );
    expect((await cache.lookup(ROOM, 'u')).sanction).toMatchObject({ kind: 'timeout' });
    now = 100;
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'cache', sanction: undefined });
  });

  it('fails open within its budget when the store is slow, and the late answer fills the cache', async () => {
    const slow = store(() => resolveAfter(60, ban));
    const cache = new SanctionCache(slow.fetch, OPTIONS, () => 0);
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'timeout', sanction: undefined });
    // A second lookup while the first read is still running joins it rather than reading again.
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'timeout', sanction: undefined });
    await resolveAfter(60, undefined);
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'cache', sanction: ban });
    expect(slow.calls).toBe(1);
  });

  it('fails open when the store is down, keeps a sanction it already knew, and backs off', async () => {
    let now = 0;
    let up = true;
    const flaky = store(async () => {
      if (!up) throw new Error('ServiceUnavailable');
      return ban;
    });
    const cache = new SanctionCache(flaky.fetch, OPTIONS, () => now);
    await cache.lookup(ROOM, 'u');
    up = false;
    now = 6_000;
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'error', sanction: ban });
    expect(await cache.lookup(ROOM, 'u')).toEqual({ source: 'cache', sanction: ban });
    expect(flaky.calls).toBe(2);
    expect(await cache.lookup(ROOM, 'other')).toEqual({ source: 'error', sanction: undefined });
  });

  it('keeps at most maxEntries users', async () => {
    const backing = store(async () => undefined);
    const cache = new SanctionCache(backing.fetch, OPTIONS, () => 0);
    for (const user of ['a', 'b', 'c']) await cache.lookup(ROOM, user);
    await cache.lookup(ROOM, 'a');
    expect(backing.calls).toBe(4);
  });
});

describe('review with a sanction', () => {
  const event = (role: string) => ({
    Content: 'hello there',
    MessageId: 'm1',
    RoomArn: ROOM,
    Attributes: {},
    Sender: { UserId: 'u', Attributes: { role }, Ip: '198.51.100.1' },
  });

  it('denies a timed-out or banned sender, naming the sanction', () => {
    const timedOut = reviewMessage(
      event('viewer'),
      defaultPolicy,
      { failureResult: 'DENY' },
      {
        kind: 'timeout',
        untilMillis: Date.UTC(2026, 10, 27, 18, 30),
        reason: 'flood',
      },
    );
    expect(timedOut).toMatchObject({
      result: 'DENY',
      ruleIds: [SANCTION_RULE_ID],
      response: {
        ReviewResult: 'DENY',
        Attributes: { Reason: 'You are timed out until 18:30 UTC.', 'moderation.rules': 'sanction' },
      },
    });
    expect(
      reviewMessage(event('viewer'), defaultPolicy, { failureResult: 'DENY' }, ban).response.Attributes
        .Reason,
    ).toBe('You are banned from this chat.');
  });

  it('never locks out an exempt sender (a moderator)', () => {
    expect(reviewMessage(event('moderator'), defaultPolicy, { failureResult: 'DENY' }, ban).result).toBe(
      'ALLOW',
    );
  });
});
