import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingAction, UserStateUpdate } from '../../../shared/enforcement/enforcement-store.js';
import { StaleUserStateError } from '../../../shared/enforcement/enforcement-store.js';
import type { UserState } from '../../../shared/enforcement/plan-enforcement.js';
import { EMPTY_USER_STATE } from '../../../shared/enforcement/plan-enforcement.js';
import { isRecord } from '../../../shared/guards.js';
import type {
  DynamoDbEnforcementStoreOptions,
  InvalidItemReport,
} from '../../../shared/store/dynamodb-enforcement-store.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';
const NOW = Date.UTC(2026, 10, 1, 12);
const HOUR = 3_600_000;
/** A TTL (epoch seconds) still ahead at NOW. */
const LIVE = NOW / 1000 + 60;

const stateOf = (userId: string, count = 2): UserState => ({
  recent: Array.from({ length: count }, (_, index) => ({
    messageId: `${userId}-m${index}`,
    atMillis: NOW - index * 1_000,
    fingerprint: (0xabc + index).toString(16).padStart(16, '0'),
  })),
  strikes: [{ atMillis: NOW - 5_000, ruleId: 'flood', messageId: `${userId}-m0` }],
});

const fresh = (userId: string, state = stateOf(userId)): UserStateUpdate => ({
  userId,
  state,
  pending: [],
  expectedVersion: 0,
});

describe('the DynamoDB enforcement store (against dynalite)', () => {
  let dynamodb: LocalDynamoDb;
  let documents: DynamoDBDocumentClient;
  let tables = 0;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    documents = DynamoDBDocumentClient.from(dynamodb.client());
  });
  afterAll(() => dynamodb.close());

  /** A fresh table per test: no test sees another's items. */
  async function storeWith(options: Partial<DynamoDbEnforcementStoreOptions> = {}) {
    const tableName = `enforcement-${++tables}`;
    await createTable(dynamodb.client(), tableName, ENFORCEMENT_TABLE);
    const invalid: InvalidItemReport[] = [];
    const store = createDynamoDbEnforcementStore({
      client: documents,
      tableName,
      now: () => NOW,
      onInvalidItem: (report) => invalid.push(report),
      ...options,
    });
    const rawItem = async (sk: string) =>
      (await documents.send(new GetCommand({ TableName: tableName, Key: { pk: `ROOM#${ROOM}`, sk } }))).Item;
    const putRaw = (item: Record<string, unknown>) =>
      documents.send(new PutCommand({ TableName: tableName, Item: { pk: `ROOM#${ROOM}`, ...item } }));
    return { store, tableName, invalid, rawItem, putRaw };
  }

  describe('user state', () => {
    it('reads back what it saved, at version 1, and the next save moves it to 2', async () => {
      const { store } = await storeWith();
      await store.saveUsers(ROOM, [fresh('alice'), fresh('bob')], NOW + HOUR);

      const loaded = await store.loadUsers(ROOM, ['alice', 'bob']);
      expect(loaded.get('alice')).toEqual({ state: stateOf('alice'), version: 1, pending: [] });
      expect(loaded.get('bob')).toEqual({ state: stateOf('bob'), version: 1, pending: [] });

      await store.saveUsers(
        ROOM,
        [{ userId: 'alice', state: stateOf('alice', 3), pending: [], expectedVersion: 1 }],
        NOW + HOUR,
      );
      expect((await store.loadUsers(ROOM, ['alice'])).get('alice')).toEqual({
        state: stateOf('alice', 3),
        version: 2,
        pending: [],
      });
    });

    it('keeps the pending actions of every kind the consumers plan with the state, and reads an item without any as none', async () => {
      const { store, putRaw } = await storeWith();
      const base = { roomArn: ROOM, userId: 'alice', messageId: 'm1' };
      const pending: PendingAction[] = [
        {
          action: { ...base, kind: 'delete-message', key: 'delete:m1', reason: 'Spam' },
          plannedAtMillis: NOW,
        },
        {
          action: {
            ...base,
            kind: 'warn',
            key: 'warn:alice:m1',
            reason: 'Spam',
            eventName: 'app:warn',
            strikes: 1,
          },
          plannedAtMillis: NOW + 1,
        },
        {
          action: { ...base, kind: 'disconnect', key: 'disconnect:alice:m1', reason: 'Spam' },
          plannedAtMillis: NOW,
        },
        {
          action: {
            ...base,
            kind: 'sanction',
            key: 'sanction:alice:m1',
            sanction: { kind: 'timeout', untilMillis: NOW + HOUR, reason: 'Spam' },
          },
          plannedAtMillis: NOW,
        },
        {
          action: {
            ...base,
            kind: 'sanction',
            key: 'sanction:alice:m2',
            sanction: { kind: 'ban', reason: 'Hate' },
          },
          plannedAtMillis: NOW,
        },
      ];
      await store.saveUsers(ROOM, [{ ...fresh('alice'), pending }], NOW + HOUR);
      expect((await store.loadUsers(ROOM, ['alice'])).get('alice')).toEqual({
        state: stateOf('alice'),
        version: 1,
        pending,
      });

      // As items were written before pending actions were kept.
      await putRaw({ sk: 'USER#bob', recent: [], strikes: [], version: 5, expiresAt: LIVE });
      expect((await store.loadUsers(ROOM, ['bob'])).get('bob')).toEqual({
        state: EMPTY_USER_STATE,
        version: 5,
        pending: [],
      });
    });

    it('gives users with nothing stored empty state at version 0', async () => {
      const { store } = await storeWith();
      await store.saveUsers(ROOM, [fresh('alice')], NOW + HOUR);

      const loaded = await store.loadUsers(ROOM, ['carol', 'dave']);
      expect([...loaded]).toEqual([
        ['carol', { state: EMPTY_USER_STATE, version: 0, pending: [] }],
        ['dave', { state: EMPTY_USER_STATE, version: 0, pending: [] }],
      ]);
      expect(await store.loadUsers(ROOM, [])).toEqual(new Map());
    });

    it('keeps rooms apart', async () => {
      const { store } = await storeWith();
      await store.saveUsers(ROOM, [fresh('alice')], NOW + HOUR);
      const other = await store.loadUsers(`${ROOM}-other`, ['alice']);
      expect(other.get('alice')).toEqual({ state: EMPTY_USER_STATE, version: 0, pending: [] });
    });

    it('loads more than 100 users (BatchGetItem chunks), asked for twice or not', async () => {
      const { store } = await storeWith();
      const userIds = Array.from({ length: 250 }, (_, index) => `user-${index}`);
      await store.saveUsers(
        ROOM,
        userIds.filter((_, index) => index % 2 === 0).map((userId) => fresh(userId)),
        NOW + HOUR,
      );

      // BatchGetItem rejects a request that names one key twice.
      const loaded = await store.loadUsers(ROOM, [...userIds, 'user-0', 'user-249']);
      expect([...loaded.keys()]).toEqual(userIds); // once each, in the order asked
      for (const [index, userId] of userIds.entries())
        expect(loaded.get(userId)).toEqual(
          index % 2 === 0
            ? { state: stateOf(userId), version: 1, pending: [] }
            : { state: EMPTY_USER_STATE, version: 0, pending: [] },
        );
    });

    it('retries keys BatchGetItem leaves unprocessed', async () => {
      const { store, tableName } = await storeWith({ sleep: async () => {} });
      const userIds = Array.from({ length: 30 }, (_, index) => `user-${index}`);
      await store.saveUsers(
        ROOM,
        userIds.map((userId) => fresh(userId)),
        NOW + HOUR,
      );
      // dynalite leaves keys unprocessed only past 16 MB: a client middleware plays a throttled table
      // that answers half the keys on each of the first two calls.
      const throttled = DynamoDBDocumentClient.from(dynamodb.client());
      let calls = 0;
      throttled.middlewareStack.add(
        (next) => async (args) => {
          const requested = keysRequested(args.input, tableName);
          if (requested === undefined || ++calls > 2) return next(args);
          const answered = requested.slice(0, Math.ceil(requested.length / 2));
          const result = await next({
            ...args,
            input: { RequestItems: { [tableName]: { Keys: answered, ConsistentRead: true } } },
          });
          const output: unknown = result.output;
          if (isRecord(output))
            output.UnprocessedKeys = { [tableName]: { Keys: requested.slice(answered.length) } };
          return result;
        },
        { step: 'initialize', name: 'unprocessedKeys' },
      );
      const loaded = await createDynamoDbEnforcementStore({
        client: throttled,
        tableName,
        now: () => NOW,
        sleep: async () => {},
      }).loadUsers(ROOM, userIds);
      expect(calls).toBe(3);
      for (const userId of userIds)
        expect(loaded.get(userId)).toEqual({ state: stateOf(userId), version: 1, pending: [] });
    });

    it('rejects a save from a stale version with StaleUserStateError naming the users that lost', async () => {
      const { store } = await storeWith();
      await store.saveUsers(ROOM, [fresh('alice'), fresh('bob')], NOW + HOUR);
      const first = await store.loadUsers(ROOM, ['alice', 'bob', 'carol']);
      const second = await store.loadUsers(ROOM, ['alice', 'bob', 'carol']);
      const updates = (loaded: typeof first, count: number): UserStateUpdate[] =>
        [...loaded].map(([userId, { version }]) => ({
          userId,
          state: stateOf(userId, count),
          pending: [],
          expectedVersion: version,
        }));

      await store.saveUsers(ROOM, updates(first, 3).slice(0, 2), NOW + HOUR); // alice and bob
      const error = await store.saveUsers(ROOM, updates(second, 4), NOW + HOUR).catch((caught) => caught);

      expect(error).toBeInstanceOf(StaleUserStateError);
      expect([...error.userIds].sort()).toEqual(['alice', 'bob']);
      // Per-user puts: carol, whom nobody else touched, is saved.
      const after = await store.loadUsers(ROOM, ['alice', 'bob', 'carol']);
      expect(after.get('alice')).toEqual({ state: stateOf('alice', 3), version: 2, pending: [] });
      expect(after.get('carol')).toEqual({ state: stateOf('carol', 4), version: 1, pending: [] });
    });

    it('lets exactly one of two racing saves of the same versions win', async () => {
      const { store } = await storeWith();
      const userIds = Array.from({ length: 20 }, (_, index) => `user-${index}`);
      const race = await Promise.allSettled([
        store.saveUsers(
          ROOM,
          userIds.map((userId) => fresh(userId, stateOf(userId, 1))),
          NOW + HOUR,
        ),
        store.saveUsers(
          ROOM,
          userIds.map((userId) => fresh(userId, stateOf(userId, 2))),
          NOW + HOUR,
        ),
      ]);

      const lost = race.flatMap((outcome) =>
        outcome.status === 'rejected' && outcome.reason instanceof StaleUserStateError
          ? outcome.reason.userIds
          : [],
      );
      expect(race.every((outcome) => outcome.status === 'fulfilled')).toBe(false);
      expect([...lost].sort()).toEqual([...userIds].sort());
      // Each user holds one of the two states whole, at version 1.
      const loaded = await store.loadUsers(ROOM, userIds);
      for (const userId of userIds) {
        const stored = loaded.get(userId);
        expect(stored?.version).toBe(1);
        expect([stateOf(userId, 1), stateOf(userId, 2)]).toContainEqual(stored?.state);
      }
    });

    it('sets the TTL attribute in epoch seconds, and reads an expired item as empty but keeps its version', async () => {
      const { store, rawItem } = await storeWith();
      await store.saveUsers(ROOM, [fresh('alice')], NOW + HOUR + 1);
      const item = await rawItem('USER#alice');
      expect(item?.[ENFORCEMENT_TABLE.ttlAttribute]).toBe(Math.ceil((NOW + HOUR + 1) / 1000));

      const { tableName } = await storeWith();
      const past = createDynamoDbEnforcementStore({ client: documents, tableName, now: () => NOW });
      const later = createDynamoDbEnforcementStore({
        client: documents,
        tableName,
        now: () => NOW + 2 * HOUR,
      });
      await past.saveUsers(ROOM, [fresh('alice')], NOW + HOUR);
      // DynamoDB deletes expired items late (dynalite never does): the store must not act on them.
      const expired = await later.loadUsers(ROOM, ['alice']);
      expect(expired.get('alice')).toEqual({ state: EMPTY_USER_STATE, version: 1, pending: [] });
      await later.saveUsers(
        ROOM,
        [{ userId: 'alice', state: stateOf('alice', 1), pending: [], expectedVersion: 1 }],
        NOW + 3 * HOUR,
      );
      expect((await later.loadUsers(ROOM, ['alice'])).get('alice')).toEqual({
        state: stateOf('alice', 1),
        version: 2,
        pending: [],
      });
    });

    it.each([
      ['recent is not a list', { recent: 'oops', strikes: [], version: 3, expiresAt: LIVE }, 3, /recent/],
      [
        'a strike is short',
        { recent: [], strikes: [[NOW, 'flood']], version: 3, expiresAt: LIVE },
        3,
        /strikes/,
      ],
      [
        'a time is a string',
        { recent: [['m', 'now', 'f']], strikes: [], version: 2, expiresAt: LIVE },
        2,
        /recent/,
      ],
      ['the version is a string', { recent: [], strikes: [], version: '7', expiresAt: LIVE }, 0, /version/],
      ['the version is missing', { recent: [], strikes: [], expiresAt: LIVE }, 0, /version/],
      ['the TTL is missing', { recent: [], strikes: [], version: 4 }, 4, /expiresAt/],
      [
        'pending is not a list',
        { recent: [], strikes: [], pending: {}, version: 2, expiresAt: LIVE },
        2,
        /pending/,
      ],
      [
        'a pending action is of a kind the consumers never plan',
        {
          recent: [],
          strikes: [],
          pending: [{ key: 'lift', kind: 'lift-sanction', messageId: 'm', plannedAtMillis: NOW }],
          version: 2,
          expiresAt: LIVE,
        },
        2,
        /pending\[0\]: kind/,
      ],
      [
        'a pending warning has no strike count',
        {
          recent: [],
          strikes: [],
          pending: [
            { key: 'd', kind: 'delete-message', messageId: 'm', reason: 'Spam', plannedAtMillis: NOW },
            { key: 'w', kind: 'warn', messageId: 'm', reason: 'Spam', eventName: 'e', plannedAtMillis: NOW },
          ],
          version: 2,
          expiresAt: LIVE,
        },
        2,
        /pending\[1\]: strikes/,
      ],
      [
        'a pending sanction is neither a timeout nor a ban',
        {
          recent: [],
          strikes: [],
          pending: [
            { key: 's', kind: 'sanction', messageId: 'm', sanction: { kind: 'mute' }, plannedAtMillis: NOW },
          ],
          version: 2,
          expiresAt: LIVE,
        },
        2,
        /pending\[0\]: sanction/,
      ],
    ])(
      'reads a malformed item (%s) as empty state, reports it, and lets the next save overwrite it',
      async (_, attributes, version, problem) => {
        const { store, putRaw, invalid } = await storeWith();
        await putRaw({ sk: 'USER#mallory', ...attributes });

        const loaded = await store.loadUsers(ROOM, ['mallory', 'alice']);
        expect(loaded.get('mallory')).toEqual({ state: EMPTY_USER_STATE, version, pending: [] });
        expect(loaded.get('alice')).toEqual({ state: EMPTY_USER_STATE, version: 0, pending: [] });
        expect(invalid).toEqual([
          { roomArn: ROOM, userId: 'mallory', kind: 'user-state', problem: expect.stringMatching(problem) },
        ]);

        await store.saveUsers(
          ROOM,
          [{ userId: 'mallory', state: stateOf('mallory'), pending: [], expectedVersion: version }],
          NOW + HOUR,
        );
        expect((await store.loadUsers(ROOM, ['mallory'])).get('mallory')).toEqual({
          state: stateOf('mallory'),
          version: version + 1,
          pending: [],
        });
      },
    );

    it('surfaces an error other than a lost race as it is', async () => {
      const { store } = await storeWith({ tableName: 'no-such-table' });
      await expect(store.saveUsers(ROOM, [fresh('alice')], NOW + HOUR)).rejects.toThrow(
        /non-existent table|not found/i,
      );
      await expect(store.loadUsers(ROOM, ['alice'])).rejects.toThrow(/non-existent table|not found/i);
    });
  });

  describe('sanctions', () => {
    it('puts, gets and lifts a ban, which has no expiry', async () => {
      const { store, rawItem } = await storeWith();
      expect(await store.getSanction(ROOM, 'mallory')).toBeUndefined();

      await store.putSanction(ROOM, 'mallory', { kind: 'ban', reason: 'Spam' });
      expect(await store.getSanction(ROOM, 'mallory')).toEqual({ kind: 'ban', reason: 'Spam' });
      expect(await rawItem('SANCTION#mallory')).not.toHaveProperty(ENFORCEMENT_TABLE.ttlAttribute);
      expect(await store.getSanction(ROOM, 'alice')).toBeUndefined();

      await store.liftSanction(ROOM, 'mallory');
      expect(await store.getSanction(ROOM, 'mallory')).toBeUndefined();
      await store.liftSanction(ROOM, 'mallory'); // lifting nothing is fine
    });

    it('keeps a timeout until it ends, with the TTL at its end, and reads it as gone after', async () => {
      const { store, rawItem, tableName } = await storeWith();
      const timeout = { kind: 'timeout', untilMillis: NOW + 10 * 60_000, reason: 'Flood' } as const;
      await store.putSanction(ROOM, 'mallory', timeout);

      expect(await store.getSanction(ROOM, 'mallory')).toEqual(timeout);
      expect((await rawItem('SANCTION#mallory'))?.[ENFORCEMENT_TABLE.ttlAttribute]).toBe(
        Math.ceil(timeout.untilMillis / 1000),
      );
      const later = createDynamoDbEnforcementStore({
        client: documents,
        tableName,
        now: () => timeout.untilMillis,
      });
      expect(await later.getSanction(ROOM, 'mallory')).toBeUndefined();
    });

    it('never weakens a sanction in force: a timeout replaces neither a ban nor a longer timeout', async () => {
      const { store } = await storeWith();
      await store.putSanction(ROOM, 'mallory', { kind: 'ban', reason: 'Hate' });
      await store.putSanction(ROOM, 'mallory', { kind: 'timeout', untilMillis: NOW + HOUR, reason: 'Flood' });
      expect(await store.getSanction(ROOM, 'mallory')).toEqual({ kind: 'ban', reason: 'Hate' });

      await store.putSanction(ROOM, 'bob', { kind: 'timeout', untilMillis: NOW + HOUR, reason: 'Flood' });
      await store.putSanction(ROOM, 'bob', { kind: 'timeout', untilMillis: NOW + 60_000, reason: 'Repeat' });
      expect(await store.getSanction(ROOM, 'bob')).toEqual({
        kind: 'timeout',
        untilMillis: NOW + HOUR,
        reason: 'Flood',
      });
      await store.putSanction(ROOM, 'bob', { kind: 'timeout', untilMillis: NOW + 2 * HOUR, reason: 'Again' });
      expect(await store.getSanction(ROOM, 'bob')).toEqual({
        kind: 'timeout',
        untilMillis: NOW + 2 * HOUR,
        reason: 'Again',
      });
      await store.putSanction(ROOM, 'bob', { kind: 'ban', reason: 'Enough' });
      expect(await store.getSanction(ROOM, 'bob')).toEqual({ kind: 'ban', reason: 'Enough' });
    });

    it('reads a malformed sanction as none and reports it', async () => {
      const { store, putRaw, invalid } = await storeWith();
      await putRaw({ sk: 'SANCTION#mallory', kind: 'mute', reason: 'x' });
      expect(await store.getSanction(ROOM, 'mallory')).toBeUndefined();
      expect(invalid).toEqual([
        { roomArn: ROOM, userId: 'mallory', kind: 'sanction', problem: expect.stringMatching(/kind/) },
      ]);
    });
  });
});

/** The keys a BatchGet asks of `tableName`, or undefined for any other command. */
function keysRequested(input: unknown, tableName: string): unknown[] | undefined {
  if (!isRecord(input) || !isRecord(input.RequestItems)) return undefined;
  const request = input.RequestItems[tableName];
  if (!isRecord(request) || !Array.isArray(request.Keys)) return undefined;
  return request.Keys;
}
