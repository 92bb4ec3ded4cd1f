import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import type { Once, PacedOperation } from '../../../shared/enforcement/execute-actions.js';
import { executeActions } from '../../../shared/enforcement/execute-actions.js';
import type { ModerationDeps } from '../../../shared/enforcement/moderate-batch.js';
import { moderateLogEvent } from '../../../shared/enforcement/moderate-log-event.js';
import { Pacer, SYSTEM_CLOCK } from '../../../shared/enforcement/pacer.js';
import { createIvsChatActions } from '../../../shared/ivs/ivs-chat-client.js';
import { chatLogLine, subscriptionEvent } from '../../helpers/chat-log-lines.js';
import type { EmulatedRoom } from '../../helpers/emulated-room.js';
import { memoryOnce, startEmulatedRoom, TEST_CREDENTIALS } from '../../helpers/emulated-room.js';
import { enforcementPolicy } from '../../helpers/enforcement-policy.js';
import { MemoryEnforcementStore } from '../../helpers/memory-enforcement-store.js';

const CREDENTIALS = TEST_CREDENTIALS;

const messageLine = (userId: string, second: number, content: string) =>
  chatLogLine(userId, new Date(1_700_000_000_000 + second * 1000), content);

describe('moderating a CloudWatch Logs subscription event against the emulator', () => {
  let room: EmulatedRoom;
  let endpoint = '';
  let roomId = '';
  let events: RoomEvent[] = [];

  beforeAll(async () => {
    room = await startEmulatedRoom('moderated');
    ({ endpoint, roomId, events } = room);
  });
  afterAll(() => room.close());

  const deps = (mode: 'enforce' | 'shadow', store: MemoryEnforcementStore, once: Once): ModerationDeps => {
    const ivs = createIvsChatActions({ region: 'us-east-1', endpoint, credentials: CREDENTIALS });
    const pacer = new Pacer<PacedOperation>({ DeleteMessage: 50, SendEvent: 50, DisconnectUser: 50 });
    return {
      policy: enforcementPolicy(mode),
      store,
      now: () => 1_700_000_100_000,
      execute: (actions) =>
        executeActions(actions, {
          ports: { ...ivs, putSanction: (room, user, sanction) => store.putSanction(room, user, sanction) },
          once,
          pacer,
          clock: SYSTEM_CLOCK,
          random: Math.random,
        }),
    };
  };

  it('warns, times out and disconnects a flooder across batches, acting once when a batch is redelivered', async () => {
    const store = new MemoryEnforcementStore();
    const once = memoryOnce();
    const moderation = deps('enforce', store, once);
    const batch = (start: number) =>
      subscriptionEvent(
        roomId,
        [0, 1, 2, 3].map((offset) => messageLine('flooder', start + offset, `spam ${start + offset}`)),
      );
    const firstBatch = batch(0);
    const first = await moderateLogEvent(firstBatch, 'us-east-1', moderation);
    expect(first).toMatchObject({ kind: 'moderated', records: 4, rejected: [] });
    expect(first.room?.results.map((result) => `${result.action.kind}:${result.status}`)).toEqual([
      'delete-message:done',
      'warn:done',
    ]);

    const before = events.length;
    const again = await moderateLogEvent(firstBatch, 'us-east-1', moderation);
    expect(again.room?.plan.actions).toEqual([]);
    expect(events.length).toBe(before);

    const second = await moderateLogEvent(batch(1), 'us-east-1', moderation);
    expect(second.room?.results.map((result) => result.action.kind)).toContain('sanction');
    expect(
      await store.getSanction(`arn:aws:ivschat:us-east-1:123456789012:room/${roomId}`, 'flooder'),
    ).toMatchObject({
      kind: 'timeout',
    });
    const third = await moderateLogEvent(batch(2), 'us-east-1', moderation);
    expect(third.room?.results.map((result) => result.action.kind)).toContain('disconnect');
    expect(events.filter((event) => event.kind === 'disconnect')).toEqual([
      expect.objectContaining({ userId: 'flooder' }),
    ]);
    expect(
      events.filter((event) => event.kind === 'event' && event.eventName === 'app:moderation-warning'),
    ).toHaveLength(1);
  });

  it('in shadow mode plans the same and calls IVS for nothing', async () => {
    const before = events.length;
    const result = await moderateLogEvent(
      subscriptionEvent(
        roomId,
        [0, 1, 2, 3].map((second) => messageLine('shadowed', second, `x ${second}`)),
      ),
      'us-east-1',
      deps('shadow', new MemoryEnforcementStore(), memoryOnce()),
    );
    expect(result.room).toMatchObject({ shadow: true, results: [] });
    expect(result.room?.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'warn']);
    expect(events.length).toBe(before);
  });

  it('rejects malformed records without losing the good ones, and refuses bad envelopes without throwing', async () => {
    const store = new MemoryEnforcementStore();
    const result = await moderateLogEvent(
      subscriptionEvent(roomId, ['{not json', messageLine('ann', 0, 'you slurword'), '{"type":"MESSAGE"}']),
      'us-east-1',
      deps('enforce', store, memoryOnce()),
    );
    expect(result.rejected).toEqual([
      { logEventId: '0', reason: 'not JSON' },
      { logEventId: '2', reason: 'event_timestamp is not a date-time' },
    ]);
    expect(result.room?.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'warn']);
    const moderation = deps('enforce', store, memoryOnce());
    expect(await moderateLogEvent({ awslogs: { data: 'garbage' } }, 'us-east-1', moderation)).toMatchObject({
      kind: 'invalid',
    });
    const bomb = { awslogs: { data: gzipSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64') } };
    expect(await moderateLogEvent(bomb, 'us-east-1', moderation, 1024 * 1024)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('decompresses to more than'),
    });
  });

  it('plans again from fresh state when a concurrent invocation saved first', async () => {
    const store = new MemoryEnforcementStore();
    let raced = false;
    store.beforeSave = () => {
      if (raced) return;
      raced = true;
      // Another invocation stores a strike for the same user first.
      store.users.set(`arn:aws:ivschat:us-east-1:123456789012:room/${roomId}|racer`, {
        state: {
          recent: [],
          strikes: [{ atMillis: 1_700_000_000_000, ruleId: 'flood', messageId: 'other' }],
        },
        version: 1,
        pending: [],
      });
    };
    const result = await moderateLogEvent(
      subscriptionEvent(
        roomId,
        [0, 1, 2, 3].map((second) => messageLine('racer', second, `r ${second}`)),
      ),
      'us-east-1',
      deps('enforce', store, memoryOnce()),
    );
    // Replanned with the other strike counted: this one is the second, a timeout, not a warning.
    expect(result.room?.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'sanction']);
    expect(result.room?.replans).toBe(1);
    // Saved with its actions pending (version 2), then saved again without them once they were done (3).
    expect(store.users.get(`arn:aws:ivschat:us-east-1:123456789012:room/${roomId}|racer`)).toMatchObject({
      version: 3,
      pending: [],
    });
  });
});
