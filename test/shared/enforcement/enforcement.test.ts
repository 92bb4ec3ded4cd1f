import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeStrikes, isInForce, sanctionOf, stepFor } from '../../../shared/enforcement/escalation.js';
import type {
  ActivityLimits,
  ActivityVerdict,
  RecentMessage,
} from '../../../shared/enforcement/user-activity.js';
import { fingerprint, MAX_KEPT, recordMessage } from '../../../shared/enforcement/user-activity.js';
import { normalizeTransient } from '../../../shared/normalization/normalize.js';
import { parsePolicy } from '../../../shared/policy/load-policy-file.js';
import type { LadderStep } from '../../../shared/policy/policy-document.js';
import { policyProblems } from '../../helpers/policy-problems.js';

const limits = {
  flood: { maxMessages: 3, windowSeconds: 10 },
  duplicates: { maxRepeats: 2, windowSeconds: 60 },
};
const message = (id: string, seconds: number, content = id): RecentMessage => ({
  messageId: id,
  atMillis: seconds * 1000,
  fingerprint: fingerprint(content),
});
/** Records messages one by one; returns what is kept after the last. */
const replayRecent = (messages: RecentMessage[]) =>
  messages.reduce<readonly RecentMessage[]>((recent, next) => recordMessage(recent, next, limits).recent, []);
/** Records messages one by one, as batches bring them; returns each verdict. */
const replay = (messages: RecentMessage[]) => {
  let recent: readonly RecentMessage[] = [];
  return messages.map((next) => {
    const verdict = recordMessage(recent, next, limits);
    recent = verdict.recent;
    return { flood: verdict.flood, duplicate: verdict.duplicate };
  });
};

describe('floods and duplicates across messages', () => {
  it('flags the message that makes more than maxMessages within the window, and not after it passes', () => {
    const verdicts = replay([
      message('a', 0),
      message('b', 1),
      message('c', 2),
      message('d', 3),
      message('e', 30),
    ]);
    expect(verdicts.map((verdict) => verdict.flood)).toEqual([false, false, false, true, false]);
  });

  it('flags repeats of one message as normalized, across case and invisible characters', () => {
    const verdicts = replay([
      message('1', 0, 'buy gold'),
      message('2', 20, 'BUY GOLD'),
      message('3', 40, 'buy\u200b gold'),
      message('4', 200, 'buy gold'),
    ]);
    expect(verdicts.map((verdict) => verdict.duplicate)).toEqual([false, false, true, false]);
  });

  it('counts a redelivered message once, and says again what it was', () => {
    const first = recordMessage([], message('a', 0), limits);
    const again = recordMessage(first.recent, message('a', 0), limits);
    expect(again).toEqual({
      flood: false,
      duplicate: false,
      crossed: false,
      recent: first.recent,
      seen: true,
    });

    // The fourth of four in ten seconds flooded when it came; delivered again, it is still a flood, and nothing moves.
    const burst = replayRecent([message('b', 0), message('c', 1), message('d', 2), message('e', 3)]);
    const redelivered = recordMessage(burst, message('e', 3), limits);
    expect(redelivered).toEqual({ flood: true, duplicate: false, crossed: false, recent: burst, seen: true });
    expect(recordMessage(burst, message('c', 1), limits)).toMatchObject({ flood: false, seen: true });
  });

  it('handles batches out of order and keeps what it stores bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 60 }), (times) => {
        let recent: readonly RecentMessage[] = [];
        times.forEach((millis, index) => {
          recent = recordMessage(
            recent,
            { messageId: String(index), atMillis: millis, fingerprint: 'f' },
            limits,
          ).recent;
        });
        expect(recent.length).toBeLessThanOrEqual(MAX_KEPT);
        expect([...recent].sort((a, b) => a.atMillis - b.atMillis)).toEqual(recent);
      }),
    );
  });
});

/** recordMessage as first written (sort, filter, count per limit): the one-pass version must agree with it. */
function recordMessageReference(
  recent: readonly RecentMessage[],
  message: RecentMessage,
  limits: ActivityLimits,
): ActivityVerdict {
  // A message recorded already is counted again where it was kept (as when it was recorded), and changes nothing.
  const recorded = recent.find((kept) => kept.messageId === message.messageId);
  const subject = recorded ?? message;
  const longestWindowMillis =
    1000 * Math.max(limits.flood?.windowSeconds ?? 0, limits.duplicates?.windowSeconds ?? 0);
  const merged = [...recent, message].sort((a, b) => a.atMillis - b.atMillis);
  const newest = merged[merged.length - 1]?.atMillis ?? message.atMillis;
  const kept =
    recorded === undefined
      ? merged.filter((entry) => entry.atMillis > newest - longestWindowMillis).slice(-MAX_KEPT)
      : recent;
  const within = (seconds: number) =>
    kept.filter(
      (entry) => entry.atMillis > subject.atMillis - 1000 * seconds && entry.atMillis <= subject.atMillis,
    );
  const floodCount = limits.flood === undefined ? 0 : within(limits.flood.windowSeconds).length;
  const repeatCount =
    limits.duplicates === undefined
      ? 0
      : within(limits.duplicates.windowSeconds).filter((entry) => entry.fingerprint === subject.fingerprint)
          .length;
  const flood = limits.flood !== undefined && floodCount > limits.flood.maxMessages;
  const duplicate = limits.duplicates !== undefined && repeatCount > limits.duplicates.maxRepeats;
  if (recorded !== undefined) return { flood, duplicate, crossed: false, recent, seen: true };
  const crossing = (count: number, limit: number) => count > limit && (count - limit - 1) % (limit + 1) === 0;
  const crossed =
    (limits.flood !== undefined && crossing(floodCount, limits.flood.maxMessages)) ||
    (limits.duplicates !== undefined && crossing(repeatCount, limits.duplicates.maxRepeats));
  return { flood, duplicate, crossed, recent: kept, seen: false };
}

describe('fingerprint', () => {
  it('keeps the stored format: 16 lower-case hex digits, as first written with toString(16)', () => {
    // Users' recent messages outlive a deploy in the store: a fingerprint must not change its spelling.
    const firstSpelling = (content: string) => {
      const { buffer, length } = normalizeTransient(content);
      let start = 0;
      let end = length;
      while (start < end && buffer[start] === 0x20) start++;
      while (end > start && buffer[end - 1] === 0x20) end--;
      let low = 0x811c9dc5;
      let high = 0xcbf29ce4;
      for (let index = start; index < end; index++) {
        const unit = buffer[index] ?? 0;
        low = Math.imul(low ^ unit, 0x01000193);
        high = Math.imul(high ^ unit ^ (low >>> 16), 0x01000193);
      }
      return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
    };
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (content) => {
        expect(fingerprint(content)).toBe(firstSpelling(content));
      }),
      { numRuns: 1000 },
    );
    expect(fingerprint('')).toBe(firstSpelling(''));
    expect(fingerprint('buy gold')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('recordMessage against its first, sorting version', () => {
  const limitsArbitrary = fc.record({
    flood: fc.option(
      fc.record({
        maxMessages: fc.integer({ min: 1, max: 5 }),
        windowSeconds: fc.integer({ min: 1, max: 30 }),
      }),
      { nil: undefined },
    ),
    duplicates: fc.option(
      fc.record({
        maxRepeats: fc.integer({ min: 1, max: 4 }),
        windowSeconds: fc.integer({ min: 1, max: 90 }),
      }),
      { nil: undefined },
    ),
  });
  const messageArbitrary = fc.record({
    messageId: fc.integer({ min: 0, max: 40 }).map(String),
    // Mostly in order with ties, sometimes not: both of recordMessage's paths.
    atMillis: fc.oneof(
      fc.integer({ min: 0, max: 120 }).map((second) => second * 1000),
      fc.integer({ min: 0, max: 120_000 }),
    ),
    fingerprint: fc.constantFrom('a', 'b', 'c'),
  });

  it('gives the same verdicts and keeps the same messages, in order or not', () => {
    fc.assert(
      fc.property(
        limitsArbitrary,
        fc.array(messageArbitrary, { maxLength: 80 }),
        fc.boolean(),
        (limits, messages, sorted) => {
          const sequence = sorted ? [...messages].sort((a, b) => a.atMillis - b.atMillis) : messages;
          let recent: readonly RecentMessage[] = [];
          for (const next of sequence) {
            const verdict = recordMessage(recent, next, limits);
            const expected = recordMessageReference(recent, next, limits);
            expect(verdict).toEqual(expected);
            expect(verdict.recent === recent).toBe(expected.recent === recent);
            recent = verdict.recent;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees on kept messages that are out of order, as a store could hand back', () => {
    fc.assert(
      fc.property(
        limitsArbitrary,
        fc.array(messageArbitrary, { maxLength: 20 }),
        messageArbitrary,
        (limits, stored, next) => {
          expect(recordMessage(stored, next, limits)).toEqual(recordMessageReference(stored, next, limits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps at most MAX_KEPT, the newest, as the sorting version does', () => {
    const many = Array.from({ length: MAX_KEPT + 5 }, (_, index) => ({
      messageId: String(index),
      atMillis: index,
      fingerprint: 'f',
    }));
    let recent: readonly RecentMessage[] = [];
    let reference: readonly RecentMessage[] = [];
    for (const next of many) {
      recent = recordMessage(recent, next, {
        flood: undefined,
        duplicates: { maxRepeats: 1, windowSeconds: 60 },
      }).recent;
      reference = recordMessageReference(reference, next, {
        flood: undefined,
        duplicates: { maxRepeats: 1, windowSeconds: 60 },
      }).recent;
    }
    expect(recent).toEqual(reference);
    expect(recent.length).toBe(MAX_KEPT);
  });
});

describe('strikes and the escalation ladder', () => {
  const ladder: LadderStep[] = [
    { strikes: 1, action: 'warn' },
    { strikes: 2, action: 'timeout', seconds: 600 },
    { strikes: 3, action: 'disconnect' },
    { strikes: 5, action: 'ban' },
  ];

  it('takes the last step the count has reached, and repeats the top one', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((count) => stepFor(count, ladder)?.action)).toEqual([
      undefined,
      'warn',
      'timeout',
      'disconnect',
      'disconnect',
      'ban',
      'ban',
    ]);
  });

  it('counts only the strikes inside the window', () => {
    const strikes = [0, 30, 61, 90].map((minute) => ({
      atMillis: minute * 60_000,
      ruleId: 'flood',
      messageId: `${minute}`,
    }));
    expect(activeStrikes(strikes, 100 * 60_000, 60).map((strike) => strike.messageId)).toEqual(['61', '90']);
  });

  it('turns timeouts and bans into sanctions with expiry; warnings and disconnects leave none', () => {
    const timeout = sanctionOf({ strikes: 2, action: 'timeout', seconds: 600 }, 0, 'flooding');
    expect(timeout).toEqual({ kind: 'timeout', untilMillis: 600_000, reason: 'flooding' });
    expect(timeout !== undefined && isInForce(timeout, 599_999)).toBe(true);
    expect(timeout !== undefined && isInForce(timeout, 600_000)).toBe(false);
    expect(isInForce({ kind: 'ban', reason: 'x' }, Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(sanctionOf({ strikes: 1, action: 'warn' }, 0, 'x')).toBeUndefined();
  });
});

describe('the enforcement section of a policy', () => {
  const policy = (enforcement: string) => `version: 1
name: enforcement
rules:
  - { id: words, kind: terms, action: mask, severity: low, reason: No., terms: [heck] }
enforcement:
${enforcement}`;
  const problems = (enforcement: string) => policyProblems(policy(enforcement), 'enforcement.yaml');

  it('reads every key, with defaults for the rest', () => {
    const document = parsePolicy(
      policy(`  mode: shadow
  flood: { maxMessages: 8, windowSeconds: 10 }
  duplicates: { maxRepeats: 3 }
  recheck: true
  ladder:
    - { strikes: 1, action: warn }
    - { strikes: 2, action: timeout, minutes: 10 }
    - { strikes: 4, action: ban }`),
      'enforcement.yaml',
    );
    expect(document.enforcement).toEqual({
      mode: 'shadow',
      flood: { maxMessages: 8, windowSeconds: 10 },
      duplicates: { maxRepeats: 3, windowSeconds: 60 },
      recheck: true,
      strikeWindowMinutes: 60,
      ladder: [
        { strikes: 1, action: 'warn' },
        { strikes: 2, action: 'timeout', seconds: 600 },
        { strikes: 4, action: 'ban' },
      ],
      warningEventName: 'app:moderation-warning',
    });
  });

  it('refuses a ladder out of order, a timeout without a length, lengths elsewhere and reserved event names', () => {
    expect(
      problems(`  warningEventName: "aws:WARN"
  ladder:
    - { strikes: 2, action: warn, minutes: 5 }
    - { strikes: 2, action: timeout }
    - { strikes: 3, action: timeout, minutes: 1, seconds: 30 }
    - { strikes: 4, action: ban, seconds: 30 }
    - { strikes: 5, action: timeout, seconds: 0 }`),
    ).toEqual([
      'enforcement.warningEventName: must be letters, digits and _:.- only, and not start with "aws:"',
      'enforcement.ladder[0].minutes: only a timeout has a length, not warn',
      'enforcement.ladder[1].strikes: must be more than the step before (2)',
      'enforcement.ladder[1].minutes: a timeout needs its length in minutes or seconds',
      'enforcement.ladder[2].seconds: give a timeout its length in minutes or in seconds, not both',
      'enforcement.ladder[3].seconds: only a timeout has a length, not ban',
      expect.stringMatching(/^enforcement\.ladder\[4\]\.seconds: /),
    ]);
  });

  it('takes a timeout in seconds as well as minutes, as Twitch allows a one-second timeout', () => {
    expect(
      problems(`  ladder:
    - { strikes: 1, action: timeout, seconds: 30 }`),
    ).toEqual([]);
  });
});
