import { describe, expect, it } from 'vitest';
import { needsLimits, resolveDesiredRoom, selects } from '../../../shared/rooms/resolve-desired-room.js';
import type { RoomEntry, RoomManifest } from '../../../shared/rooms/room-manifest.js';

const KIDS_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/kids1';
const kids = { arn: KIDS_ARN, name: 'game-kids-1', tags: { audience: 'kids', tier: 'gold' } };
const adults = {
  arn: 'arn:aws:ivschat:us-east-1:123456789012:room/adults1',
  name: 'lobby',
  tags: { audience: 'adults' },
};

function manifest(...rooms: RoomEntry[]): RoomManifest {
  return { policies: {}, loggingConfigurations: [], rooms, changeBudget: 500 };
}

describe('selecting rooms', () => {
  it('selects every room with all', () => {
    expect(selects({ all: true }, kids)).toBe(true);
    expect(selects({ all: true }, adults)).toBe(true);
  });

  it('selects by tags, all of them with their values', () => {
    expect(selects({ tags: { audience: 'kids' } }, kids)).toBe(true);
    expect(selects({ tags: { audience: 'kids', tier: 'gold' } }, kids)).toBe(true);
    expect(selects({ tags: { audience: 'kids', tier: 'silver' } }, kids)).toBe(false);
    expect(selects({ tags: { audience: 'kids' } }, adults)).toBe(false);
    expect(selects({ tags: { region: '' } }, kids)).toBe(false);
  });

  it('does not match a tag key through the prototype chain', () => {
    expect(selects({ tags: { constructor: '' } }, kids)).toBe(false);
  });

  it('selects by name prefix and by ARN', () => {
    expect(selects({ namePrefix: 'game-' }, kids)).toBe(true);
    expect(selects({ namePrefix: 'game-' }, adults)).toBe(false);
    expect(selects({ arns: [KIDS_ARN] }, kids)).toBe(true);
    expect(selects({ arns: [KIDS_ARN] }, adults)).toBe(false);
  });

  it('requires every given condition', () => {
    expect(selects({ namePrefix: 'game-', tags: { audience: 'kids' }, arns: [KIDS_ARN] }, kids)).toBe(true);
    expect(selects({ namePrefix: 'lob', tags: { audience: 'kids' } }, kids)).toBe(false);
    expect(selects({ namePrefix: 'game-', arns: [adults.arn] }, kids)).toBe(false);
  });

  it('selects nothing with a selector that has no condition', () => {
    expect(selects({}, kids)).toBe(false);
  });
});

describe('resolving what a room should be', () => {
  it('is undefined for a room no entry selects', () => {
    expect(
      resolveDesiredRoom(manifest({ select: { namePrefix: 'zzz' }, policy: 'strict' }), kids),
    ).toBeUndefined();
    expect(resolveDesiredRoom(manifest(), kids)).toBeUndefined();
  });

  it('lets the last selecting entry that sets a field win, field by field', () => {
    const desired = resolveDesiredRoom(
      manifest(
        {
          select: { all: true },
          reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
          maximumMessageLength: 500,
          policy: 'default',
        },
        { select: { tags: { audience: 'kids' } }, policy: 'strict', maximumMessageRatePerSecond: 5 },
        { select: { namePrefix: 'lobby' }, maximumMessageLength: 100 },
        { select: { namePrefix: 'game-' }, maximumMessageLength: 200 },
      ),
      kids,
    );
    expect(desired).toEqual({
      policy: 'strict',
      reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
      maximumMessageLength: 200,
      maximumMessageRatePerSecond: 5,
      tags: {},
      removeTags: [],
    });
  });

  it('leaves unset what no selecting entry sets', () => {
    expect(resolveDesiredRoom(manifest({ select: { all: true }, tags: { a: '1' } }), adults)).toEqual({
      tags: { a: '1' },
      removeTags: [],
    });
  });

  it('merges tags by key, the later entry winning', () => {
    const desired = resolveDesiredRoom(
      manifest(
        { select: { all: true }, tags: { owner: 'ops', tier: 'free' } },
        { select: { tags: { audience: 'kids' } }, tags: { tier: 'kids', rating: 'G' } },
      ),
      kids,
    );
    expect(desired?.tags).toEqual({ owner: 'ops', tier: 'kids', rating: 'G' });
  });

  it('lets a later tag cancel an earlier removal, and a later removal cancel an earlier tag', () => {
    const desired = resolveDesiredRoom(
      manifest(
        { select: { all: true }, removeTags: ['legacy', 'beta'], tags: { owner: 'ops', rating: 'PG' } },
        { select: { tags: { audience: 'kids' } }, tags: { legacy: 'keep' }, removeTags: ['rating'] },
        { select: { all: true }, removeTags: ['old'] },
      ),
      kids,
    );
    expect(desired?.tags).toEqual({ owner: 'ops', legacy: 'keep' });
    expect(desired?.removeTags).toEqual(['beta', 'rating', 'old']);
    // The room the second entry does not select keeps the first entry's wishes.
    const other = resolveDesiredRoom(
      manifest(
        { select: { all: true }, removeTags: ['legacy'], tags: { rating: 'PG' } },
        { select: { tags: { audience: 'kids' } }, tags: { legacy: 'keep' }, removeTags: ['rating'] },
      ),
      adults,
    );
    expect(other).toEqual({ tags: { rating: 'PG' }, removeTags: ['legacy'] });
  });

  it('replaces an earlier entry’s logging configurations with a later one’s', () => {
    const desired = resolveDesiredRoom(
      manifest(
        { select: { all: true }, loggingConfigurations: ['chat', 'archive'] },
        { select: { tags: { audience: 'kids' } }, loggingConfigurations: ['kids-archive'] },
      ),
      kids,
    );
    expect(desired?.loggingConfigurations).toEqual(['kids-archive']);
    const empty = resolveDesiredRoom(
      manifest(
        { select: { all: true }, loggingConfigurations: ['chat'] },
        { select: { all: true }, loggingConfigurations: [] },
      ),
      kids,
    );
    expect(empty?.loggingConfigurations).toEqual([]);
  });
});

describe('whether a room needs GetRoom', () => {
  it('needs limits only when a limit is wanted', () => {
    expect(needsLimits({ tags: {}, removeTags: [] })).toBe(false);
    expect(needsLimits({ tags: {}, removeTags: [], policy: 'strict' })).toBe(false);
    expect(needsLimits({ tags: {}, removeTags: [], maximumMessageLength: 200 })).toBe(true);
    expect(needsLimits({ tags: {}, removeTags: [], maximumMessageRatePerSecond: 5 })).toBe(true);
  });
});
