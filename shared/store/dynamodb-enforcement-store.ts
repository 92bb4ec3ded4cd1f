import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  EnforcementStore,
  PendingAction,
  StoredUserState,
  UserStateUpdate,
} from '../enforcement/enforcement-store.js';
import { StaleUserStateError } from '../enforcement/enforcement-store.js';
import type { Strike } from '../enforcement/escalation.js';
import { isInForce } from '../enforcement/escalation.js';
import type { UserState } from '../enforcement/plan-enforcement.js';
import { EMPTY_USER_STATE } from '../enforcement/plan-enforcement.js';
import type { RecentMessage } from '../enforcement/user-activity.js';
import { ENFORCEMENT_TABLE } from './enforcement-table.js';
import { parsePendingAction, pendingActionItem } from './pending-action-item.js';
import { parseSanction, roomKey, sanctionKey, userKey } from './sanction-item.js';

/**
 * The EnforcementStore on DynamoDB: the one adapter for the enforcement table (ENFORCEMENT_TABLE).
 *
 * Items, all in the room's partition (a batch is one room's messages, so it touches one partition):
 *
 * | pk              | sk                 | attributes                                                        |
 * |-----------------|--------------------|-------------------------------------------------------------------|
 * | `ROOM#<roomArn>`| `USER#<userId>`    | recent: [messageId, atMillis, fingerprint][], strikes: [atMillis, ruleId, messageId][], pending (pending-action-item.ts), version, expiresAt |
 * | `ROOM#<roomArn>`| `SANCTION#<userId>`| kind (`timeout`/`ban`), reason, untilMillis and expiresAt for a timeout; a ban never expires |
 *
 * Tuples rather than maps keep a user item small: `recent` may hold MAX_KEPT (1,001) entries, and
 * attribute names are stored (and billed) in every map. `expiresAt` is epoch seconds, DynamoDB's TTL.
 *
 * Saves are one conditional PutItem per user (`version = :expected`, or no numeric version when 0 is
 * expected), run concurrently, not TransactWriteItems. The trade-off: a transaction would make a chunk
 * of up to 100 users all-or-nothing, but it costs twice the write units, caps a chunk at 4 MB (a few
 * dozen full `recent` lists), fails whole on any concurrent write to one of its items, and batches of
 * more than 100 users are split into chunks that are not atomic together anyway (dynalite, the local
 * DynamoDB, has no transactions either). Per-user puts mean a StaleUserStateError leaves every user
 * it does not list saved: the caller re-plans the batch for the listed users after reloading them,
 * which the planner tolerates (a message already in a user's `recent` earns nothing twice). A user's
 * pending actions are saved in the same item as the state that planned them, so they are kept or lost
 * together with it. An item without `pending` (written before it existed) has none.
 *
 * Reads are validated, never cast: a malformed item (hand-edited, or written by another version) is
 * reported to `onInvalidItem` and read as empty state, keeping its stored version when that is a
 * number so the next save can overwrite it; a batch never fails on one bad item. Items past their
 * `expiresAt` read as absent, since DynamoDB deletes expired items up to days late.
 */

export interface InvalidItemReport {
  readonly roomArn: string;
  readonly userId: string;
  readonly kind: 'user-state' | 'sanction';
  /** What is wrong, for the log: attribute names, never values (they may hold message ids of a user). */
  readonly problem: string;
}

export interface DynamoDbEnforcementStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Told about each malformed item read (which is then treated as empty). Default: ignored. */
  readonly onInvalidItem?: (report: InvalidItemReport) => void;
  /** Epoch milliseconds; decides which items have expired. Default Date.now. */
  readonly now?: () => number;
  /** Waits between BatchGetItem retries of unprocessed keys. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
/** Unprocessed keys are throttled reads: back off and retry this many times before giving up. */
const MAX_BATCH_GET_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;
/** Concurrent PutItems per save: enough for throughput, few enough not to spike one partition. */
const SAVE_CONCURRENCY = 16;

const TTL = ENFORCEMENT_TABLE.ttlAttribute;

const USER_PREFIX = 'USER#';

export function createDynamoDbEnforcementStore(options: DynamoDbEnforcementStoreOptions): EnforcementStore {
  const { client, tableName } = options;
  const report = options.onInvalidItem ?? (() => {});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function batchGet(keys: Record<string, NativeAttributeValue>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const output = await client.send(
        new BatchGetCommand({
          // Strongly consistent: a stale read would only make the conditional save fail and retry.
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(output.Responses?.[tableName] ?? []));
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length === 0) break;
      if (attempt >= MAX_BATCH_GET_ATTEMPTS)
        throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed after ${attempt} attempts`);
      // Full jitter, as for the IVS calls: concurrent consumers throttled together spread out.
      await sleep(Math.floor(Math.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt)));
    }
    return items;
  }

  async function saveUser(roomArn: string, update: UserStateUpdate, expiresAt: number): Promise<boolean> {
    const expectsNew = update.expectedVersion === 0;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: roomKey(roomArn),
            sk: userKey(update.userId),
            recent: update.state.recent.map((entry) => [entry.messageId, entry.atMillis, entry.fingerprint]),
            strikes: update.state.strikes.map((strike) => [strike.atMillis, strike.ruleId, strike.messageId]),
            pending: update.pending.map(pendingActionItem),
            version: update.expectedVersion + 1,
            [TTL]: expiresAt,
          },
          // Version 0 is also what a malformed item without a numeric version reads as: overwrite it.
          ConditionExpression: expectsNew
            ? 'attribute_not_exists(#version) OR NOT attribute_type(#version, :number)'
            : '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: expectsNew
            ? { ':number': 'N' }
            : { ':expected': update.expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async loadUsers(roomArn, userIds) {
      // BatchGetItem rejects a request that names one key twice.
      const wanted = new Set(userIds);
      const unique = [...wanted];
      const found = new Map<string, StoredUserState>();
      const chunks: string[][] = [];
      for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT)
        chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
      const results = await Promise.all(
        chunks.map((chunk) =>
          batchGet(chunk.map((userId) => ({ pk: roomKey(roomArn), sk: userKey(userId) }))),
        ),
      );
      const nowSeconds = now() / 1000;
      for (const item of results.flat()) {
        const userId = typeof item.sk === 'string' ? item.sk.slice(USER_PREFIX.length) : undefined;
        if (userId === undefined || !wanted.has(userId)) continue;
        const parsed = parseUserItem(item, roomArn, userId);
        if (!parsed.ok) {
          report({ roomArn, userId, kind: 'user-state', problem: parsed.problem });
          found.set(userId, { state: EMPTY_USER_STATE, version: parsed.version, pending: [] });
        } else if (parsed.expiresAt <= nowSeconds) {
          // Expired but not yet deleted: empty, as TTL would leave it, yet the version still guards the save.
          found.set(userId, { state: EMPTY_USER_STATE, version: parsed.version, pending: [] });
        } else {
          found.set(userId, { state: parsed.state, version: parsed.version, pending: parsed.pending });
        }
      }
      // In the order asked, so that callers iterating the map plan deterministically.
      return new Map(
        unique.map((userId) => [
          userId,
          found.get(userId) ?? { state: EMPTY_USER_STATE, version: 0, pending: [] },
        ]),
      );
    },

    async saveUsers(roomArn, updates, expiresAtMillis) {
      const expiresAt = Math.ceil(expiresAtMillis / 1000);
      const stale: string[] = [];
      const failures: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (next < updates.length) {
          const update = updates[next++];
          if (update === undefined) break;
          try {
            if (!(await saveUser(roomArn, update, expiresAt))) stale.push(update.userId);
          } catch (error) {
            failures.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SAVE_CONCURRENCY, updates.length) }, worker));
      // Anything but a lost race is not the caller's to re-plan around: surface it as it came.
      if (failures.length > 0) throw failures[0];
      if (stale.length > 0) throw new StaleUserStateError(stale);
    },

    async putSanction(roomArn, userId, sanction) {
      const base = {
        pk: roomKey(roomArn),
        sk: sanctionKey(userId),
        kind: sanction.kind,
        reason: sanction.reason,
      };
      if (sanction.kind === 'ban') {
        await client.send(new PutCommand({ TableName: tableName, Item: base }));
        return;
      }
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...base,
              untilMillis: sanction.untilMillis,
              [TTL]: Math.ceil(sanction.untilMillis / 1000),
            },
            // A timeout never weakens what is in force: not a ban, not a longer timeout (lifting is explicit).
            ConditionExpression:
              'attribute_not_exists(sk) OR (#kind <> :ban AND (attribute_not_exists(#until) OR #until <= :until))',
            ExpressionAttributeNames: { '#kind': 'kind', '#until': 'untilMillis' },
            ExpressionAttributeValues: { ':ban': 'ban', ':until': sanction.untilMillis },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async getSanction(roomArn, userId) {
      const output = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: roomKey(roomArn), sk: sanctionKey(userId) },
          ConsistentRead: true,
        }),
      );
      if (output.Item === undefined) return undefined;
      const sanction = parseSanction(output.Item);
      if (typeof sanction === 'string') {
        report({ roomArn, userId, kind: 'sanction', problem: sanction });
        return undefined;
      }
      return isInForce(sanction, now()) ? sanction : undefined;
    },

    async liftSanction(roomArn, userId) {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: { pk: roomKey(roomArn), sk: sanctionKey(userId) } }),
      );
    },
  };
}

type ParsedUserItem =
  | {
      readonly ok: true;
      readonly state: UserState;
      readonly version: number;
      readonly expiresAt: number;
      readonly pending: readonly PendingAction[];
    }
  | { readonly ok: false; readonly version: number; readonly problem: string };

function parseUserItem(item: Record<string, unknown>, roomArn: string, userId: string): ParsedUserItem {
  const { version, recent, strikes } = item;
  const expiresAt = item[TTL];
  // Any stored number is kept as the version, valid or not, so that the next save's condition matches it.
  const storedVersion = typeof version === 'number' && Number.isFinite(version) ? version : 0;
  if (!Number.isSafeInteger(version) || storedVersion < 1)
    return { ok: false, version: storedVersion, problem: 'version is not a positive integer' };
  if (typeof expiresAt !== 'number')
    return { ok: false, version: storedVersion, problem: `${TTL} is not a number` };
  if (!Array.isArray(recent) || !recent.every(isRecentTuple))
    return {
      ok: false,
      version: storedVersion,
      problem: 'recent is not a list of [messageId, atMillis, fingerprint]',
    };
  if (!Array.isArray(strikes) || !strikes.every(isStrikeTuple))
    return {
      ok: false,
      version: storedVersion,
      problem: 'strikes is not a list of [atMillis, ruleId, messageId]',
    };
  const pending: PendingAction[] = [];
  if (item.pending !== undefined) {
    if (!Array.isArray(item.pending))
      return { ok: false, version: storedVersion, problem: 'pending is not a list' };
    for (const [index, entry] of item.pending.entries()) {
      const parsed = parsePendingAction(entry, roomArn, userId);
      if (typeof parsed === 'string')
        return { ok: false, version: storedVersion, problem: `pending[${index}]: ${parsed}` };
      pending.push(parsed);
    }
  }
  return {
    ok: true,
    version: storedVersion,
    expiresAt,
    pending,
    state: {
      recent: recent.map(
        ([messageId, atMillis, fingerprint]): RecentMessage => ({ messageId, atMillis, fingerprint }),
      ),
      strikes: strikes.map(([atMillis, ruleId, messageId]): Strike => ({ atMillis, ruleId, messageId })),
    },
  };
}

function isRecentTuple(value: unknown): value is [string, number, string] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    Number.isFinite(value[1]) &&
    typeof value[2] === 'string'
  );
}

function isStrikeTuple(value: unknown): value is [number, string, string] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    Number.isFinite(value[0]) &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'string'
  );
}
