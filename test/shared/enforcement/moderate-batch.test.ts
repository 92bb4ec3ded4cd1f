import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedMessage } from '../../../shared/chat-logs/chat-log-record.js';
import type { EnforcementStore, PendingAction } from '../../../shared/enforcement/enforcement-store.js';
import type { ActionPorts, PacedOperation } from '../../../shared/enforcement/execute-actions.js';
import { executeActions } from '../../../shared/enforcement/execute-actions.js';
import type { ModerationDeps, RoomModeration } from '../../../shared/enforcement/moderate-batch.js';
import {
  ABANDONED_AFTER_MILLIS,
  MAX_PENDING_BYTES,
  moderateRoomBatch,
  ORPHANED_AFTER_MILLIS,
} from '../../../shared/enforcement/moderate-batch.js';
import { Pacer, SYSTEM_CLOCK } from '../../../shared/enforcement/pacer.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { memoryOnce } from '../../helpers/emulated-room.js';
import { enforcementPolicy } from '../../helpers/enforcement-policy.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { loggedMessage } from '../../helpers/logged-message.js';
import { MemoryEnforcementStore } from '../../helpers/memory-enforcement-store.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';
const NOW = 1_700_000_000_000;
const enforcing = enforcementPolicy();

/**
 * IVS and the sanctions table as the executor sees them, shared by every invocation of a test: how often each
 * action key was handed to an executor, and deletions made to fail by key.
 */
class CountingPorts {
  readonly attempts = new Map<string, number>();
  /** `delete:<messageId>` keys whose calls fail for good (a permanent error), until removed. */
  readonly failing = new Set<string>();

  handed(actions: readonly { readonly key: string }[]): void {
    for (const { key } of actions) this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
  }

  ports(): ActionPorts {
    // Each call yields, as a network call does, so that concurrent invocations interleave.
    const call = () => new Promise<void>((resolve) => setImmediate(resolve));
    return {
      deleteMessage: async (_room, messageId) => {
        await call();
        if (this.failing.has(`delete:${messageId}`)) throw new Error(`permanent failure of ${messageId}`);
      },
      sendEvent: call,
      disconnectUser: call,
      putSanction: call,
      classify: () => 'permanent',
    };
  }
}

function depsWith(
  store: EnforcementStore,
  ports: CountingPorts,
  { now = () => NOW, policy = enforcing } = {},
): ModerationDeps & { readonly executed: string[] } {
  const once = memoryOnce();
  const pacer = new Pacer<PacedOperation>({
    DeleteMessage: 10_000,
    SendEvent: 10_000,
    DisconnectUser: 10_000,
  });
  const executed: string[] = [];
  return {
    policy,
    store,
    now,
    executed,
    execute: async (actions) => {
      ports.handed(actions);
      const results = await executeActions(actions, {
        ports: ports.ports(),
        once,
        pacer,
        clock: SYSTEM_CLOCK,
        random: () => 0,
        options: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      for (const result of results) if (result.status === 'done') executed.push(result.action.key);
      return results;
    },
  };
}

const flood = (userId: string, from: number, count = 4) =>
  Array.from({ length: count }, (_, index) =>
    loggedMessage(userId, from + index, `${userId} says ${from + index}`),
  );
const keysOf = (room: RoomModeration) => room.plan.actions.map((action) => action.key);
const pendingOf = (store: MemoryEnforcementStore, userId: string) =>
  store.users.get(`${ROOM}|${userId}`)?.pending.map(({ action }) => action.key) ?? [];

describe('moderateRoomBatch: state and actions saved together, then acted on', () => {
  it('saves the planned actions with the state, executes them, then drops them from the pending list', async () => {
    const store = new MemoryEnforcementStore();
    const saved: string[][] = [];
    store.beforeSave = () => {
      saved.push(pendingOf(store, 'ann'));
    };
    const ports = new CountingPorts();
    const deps = depsWith(store, ports);
    const room = await moderateRoomBatch(ROOM, flood('ann', 0), deps);

    expect(room.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'warn']);
    expect(room.results.map((result) => result.status)).toEqual(['done', 'done']);
    // Before the first save nothing was stored; before the second (the clearing one) both were pending.
    expect(saved).toEqual([[], keysOf(room)]);
    expect(store.users.get(`${ROOM}|ann`)).toMatchObject({ version: 2, pending: [] });
    expect({ replans: room.replans, abandoned: room.abandoned, uncleared: room.uncleared }).toEqual({
      replans: 0,
      abandoned: [],
      uncleared: 0,
    });
  });

  it('acts on nothing of a plan that lost the race: the users concerned are planned again from what won', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const first = depsWith(store, ports);
    const second = depsWith(store, ports);
    let won: RoomModeration | undefined;
    let handedBeforeSaving = -1;
    store.beforeSave = async () => {
      // The first invocation planned ann's first strike (a warning) and is about to save it; another invocation,
      // over an earlier flood of ann's, saves first (its own first strike) and acts.
      store.beforeSave = () => {};
      handedBeforeSaving = ports.attempts.size;
      won = await moderateRoomBatch(ROOM, flood('ann', 20), second);
    };
    const lost = await moderateRoomBatch(ROOM, flood('ann', 100), first);
    if (won === undefined) throw new Error('the race did not happen');

    expect(handedBeforeSaving).toBe(0);
    expect(lost.replans).toBe(1);
    expect(won.replans).toBe(0);
    // One strike each, counted once: the warning, then the second strike's timeout in place of a second warning.
    expect(won.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'warn']);
    expect(lost.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'sanction']);
    // Every action handed to an executor is one that a saved plan holds, each once: the lost warning never was.
    const planned = [...keysOf(won), ...keysOf(lost)];
    expect([...ports.attempts.keys()].sort()).toEqual(planned.sort());
    expect([...ports.attempts.values()].every((count) => count === 1)).toBe(true);
    expect([...first.executed, ...second.executed].sort()).toEqual(planned.sort());
    expect(pendingOf(store, 'ann')).toEqual([]);
    expect(store.users.get(`${ROOM}|ann`)?.state.strikes).toHaveLength(2);
  });

  it('finishes on redelivery what an invocation saved and died before doing, and plans nothing twice', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const messages = [...flood('ann', 0), loggedMessage('bob', 1, 'a slurword')];
    const dying = {
      ...depsWith(store, ports),
      execute: () => Promise.reject(new Error('the invocation timed out')),
    };
    await expect(moderateRoomBatch(ROOM, messages, dying)).rejects.toThrow(/timed out/);
    const planned = [...pendingOf(store, 'ann'), ...pendingOf(store, 'bob')];
    expect(planned.sort()).toEqual(
      [
        `delete:${messages[3]?.id}`,
        `warn:ann:${messages[3]?.id}`,
        `delete:${messages[4]?.id}`,
        `warn:bob:${messages[4]?.id}`,
      ].sort(),
    );

    const redelivery = depsWith(store, ports);
    const again = await moderateRoomBatch(ROOM, messages, redelivery);
    expect(again.plan.actions).toEqual([]);
    expect(redelivery.executed.sort()).toEqual(planned.sort());
    expect([...pendingOf(store, 'ann'), ...pendingOf(store, 'bob')]).toEqual([]);
  });

  it('keeps a failed action pending, so that the redelivered batch runs it and only it', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const messages = flood('ann', 0);
    const deleteKey = `delete:${messages[3]?.id}`;
    ports.failing.add(deleteKey);
    const first = await moderateRoomBatch(ROOM, messages, depsWith(store, ports));
    expect(first.results.map((result) => `${result.action.kind}:${result.status}`)).toEqual([
      'delete-message:failed',
      'warn:done',
    ]);
    expect(pendingOf(store, 'ann')).toEqual([deleteKey]);

    ports.failing.clear();
    const redelivery = depsWith(store, ports);
    const second = await moderateRoomBatch(ROOM, messages, redelivery);
    expect(second.plan.actions).toEqual([]);
    expect(redelivery.executed).toEqual([deleteKey]);
    expect(pendingOf(store, 'ann')).toEqual([]);
  });

  it("leaves another live batch's pending actions to it, and runs those a batch left behind long ago", async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const pending = (messageId: string, plannedAtMillis: number): PendingAction => ({
      action: {
        kind: 'delete-message',
        key: `delete:${messageId}`,
        roomArn: ROOM,
        userId: 'ann',
        messageId,
        reason: 'Spam',
      },
      plannedAtMillis,
    });
    store.users.set(`${ROOM}|ann`, {
      state: { recent: [], strikes: [] },
      version: 4,
      pending: [pending('live', NOW - 60_000), pending('orphaned', NOW - ORPHANED_AFTER_MILLIS)],
    });
    const deps = depsWith(store, ports);
    const room = await moderateRoomBatch(ROOM, [loggedMessage('ann', NOW / 1000, 'hello')], deps);
    expect(room.plan.actions).toEqual([]);
    expect(deps.executed).toEqual(['delete:orphaned']);
    expect(pendingOf(store, 'ann')).toEqual(['delete:live']);
  });

  it('gives up pending actions older than 12 hours, and the oldest beyond what one user item can hold, and says so', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    // A kilobyte each: 300 of them are more than a user's item may hold in pending actions.
    const reason = 'x'.repeat(1_000);
    const pending = (index: number, plannedAtMillis: number): PendingAction => ({
      action: {
        kind: 'delete-message',
        key: `delete:old${index}`,
        roomArn: ROOM,
        userId: 'ann',
        messageId: `old${index}`,
        reason,
      },
      plannedAtMillis,
    });
    const old = [
      pending(0, NOW - ABANDONED_AFTER_MILLIS),
      ...Array.from({ length: 300 }, (_, index) => pending(index + 1, NOW - 60_000)),
    ];
    store.users.set(`${ROOM}|ann`, { state: { recent: [], strikes: [] }, version: 1, pending: old });
    // Failing, so that they all stay pending.
    for (const { action } of old) ports.failing.add(action.key);
    const messages = flood('ann', NOW / 1000);
    for (const message of messages) ports.failing.add(`delete:${message.id}`);
    const room = await moderateRoomBatch(ROOM, messages, depsWith(store, ports));

    // The one past 12 hours, then the oldest live ones: what was given up is a prefix of the list.
    const abandoned = room.abandoned.map((action) => action.key);
    expect(abandoned.length).toBeGreaterThan(50);
    expect(abandoned).toEqual(old.slice(0, abandoned.length).map(({ action }) => action.key));
    const kept = store.users.get(`${ROOM}|ann`)?.pending ?? [];
    expect(new TextEncoder().encode(JSON.stringify(kept)).length).toBeLessThan(MAX_PENDING_BYTES);
    // The warning went through and was dropped from the list; the failed delete stays, newest.
    expect(kept.map(({ action }) => action.key).slice(-1)).toEqual([`delete:${messages[3]?.id}`]);
    expect(kept.length + abandoned.length).toBe(old.length + 1);
  });

  it('keeps nothing pending and runs nothing in shadow mode', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const room = await moderateRoomBatch(
      ROOM,
      flood('ann', 0),
      depsWith(store, ports, { policy: enforcementPolicy('shadow') }),
    );
    expect(room.plan.actions.map((action) => action.kind)).toEqual(['delete-message', 'warn']);
    expect(room.results).toEqual([]);
    expect(ports.attempts.size).toBe(0);
    expect(store.users.get(`${ROOM}|ann`)).toMatchObject({ version: 1, pending: [] });
  });

  it('drops done actions from a list another invocation saved in between, and counts what it could not drop', async () => {
    const store = new MemoryEnforcementStore();
    const ports = new CountingPorts();
    const key = `${ROOM}|ann`;
    let saves = 0;
    // Another invocation saves ann (keeping her pending list) just before each clearing save, `bumps` times.
    const bumpBeforeClearing = (bumps: number) => () => {
      saves++;
      const stored = store.users.get(key);
      if (saves >= 2 && saves <= 1 + bumps && stored !== undefined)
        store.users.set(key, { ...stored, version: stored.version + 1 });
    };
    store.beforeSave = bumpBeforeClearing(1);
    const room = await moderateRoomBatch(ROOM, flood('ann', 0), depsWith(store, ports));
    expect(room.uncleared).toBe(0);
    expect(pendingOf(store, 'ann')).toEqual([]);

    const other = new MemoryEnforcementStore();
    saves = 0;
    other.beforeSave = () => {
      saves++;
      const stored = other.users.get(key);
      if (saves >= 2 && stored !== undefined)
        other.users.set(key, { ...stored, version: stored.version + 1 });
    };
    const contended = await moderateRoomBatch(ROOM, flood('ann', 0), depsWith(other, new CountingPorts()));
    // Both done, both still listed after every try: their keys make them duplicates if they ever run again.
    expect(contended.results.map((result) => result.status)).toEqual(['done', 'done']);
    expect(contended.uncleared).toBe(2);
    expect(other.users.get(key)?.pending).toHaveLength(2);
  });

  it('fails the batch, acting on nothing, when the store cannot save', async () => {
    const store = new MemoryEnforcementStore();
    store.beforeSave = () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const ports = new CountingPorts();
    await expect(moderateRoomBatch(ROOM, flood('ann', 0), depsWith(store, ports))).rejects.toThrow(
      /Throughput/,
    );
    expect(ports.attempts.size).toBe(0);
  });
});

describe('moderateRoomBatch: concurrent invocations over one room (dynalite)', () => {
  let dynamodb: LocalDynamoDb;
  let tables = 0;
  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
  });
  afterAll(async () => {
    await dynamodb?.close();
  });

  it('executes every action of every saved plan exactly once, and only those, however the batches interleave', async () => {
    const documents = DynamoDBDocumentClient.from(dynamodb.client());
    await fc.assert(
      fc.asyncProperty(
        // Batches of a busy room: each message from one of a few users, some floods, some slurs.
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
          { minLength: 2, maxLength: 5 },
        ),
        async (batches) => {
          const tableName = `outbox-${++tables}`;
          await createTable(dynamodb.client(), tableName, ENFORCEMENT_TABLE);
          const store = createDynamoDbEnforcementStore({ client: documents, tableName, now: () => NOW });
          const ports = new CountingPorts();
          let second = 0;
          const messages: LoggedMessage[][] = batches.map((batch) =>
            batch.map(([user, slur]) =>
              loggedMessage(`user${user}`, second++, slur ? 'a slurword' : `hi ${second}`),
            ),
          );
          const rooms = await Promise.all(
            messages.map((batch) => moderateRoomBatch(ROOM, batch, depsWith(store, ports))),
          );

          const planned = rooms.flatMap(keysOf);
          const executed = rooms.flatMap((room) =>
            room.results.filter((result) => result.status === 'done').map((result) => result.action.key),
          );
          expect(new Set(planned).size).toBe(planned.length);
          expect(executed.sort()).toEqual([...planned].sort());
          expect([...ports.attempts.keys()].sort()).toEqual([...planned].sort());
          expect([...ports.attempts.values()].every((count) => count === 1)).toBe(true);
          // Each slur earned one strike, kept once, whatever the interleaving.
          const stored = await store.loadUsers(ROOM, ['user0', 'user1', 'user2', 'user3']);
          const strikes = [...stored.values()].reduce((total, user) => total + user.state.strikes.length, 0);
          const slurs = batches.flat().filter(([, slur]) => slur).length;
          expect(strikes).toBeGreaterThanOrEqual(slurs);
          // Done actions that lost every try to be dropped from a contended list stay listed, each counted.
          const listed = [...stored.values()].flatMap((user) => user.pending.map(({ action }) => action.key));
          expect(listed.every((key) => executed.includes(key))).toBe(true);
          expect(listed.length).toBe(rooms.reduce((total, room) => total + room.uncleared, 0));
        },
      ),
      { numRuns: Number(process.env.OUTBOX_RUNS ?? 25), seed: 0x0b0c },
    );
  });
});
