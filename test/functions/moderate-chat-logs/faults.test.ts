import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import type { FaultPlan, InjectedFault } from '../../../local/ivschat/control-plane/faults.js';
import { INTERNAL_ERROR, THROTTLED, UNAVAILABLE } from '../../../local/ivschat/control-plane/faults.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { isRecord } from '../../../shared/guards.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import { chatLogLine, subscriptionEvent } from '../../helpers/chat-log-lines.js';
import type { DynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';

/**
 * functions/moderate-chat-logs when IVS or DynamoDB fail: the emulator's fault plan and a faulty DynamoDB
 * endpoint in front of dynalite. CloudWatch Logs invokes the function asynchronously, so what is ours to
 * show is that an invocation that could not finish its work throws (Lambda retries it twice, then the
 * on-failure destination keeps it: not testable here) and that its redelivery then does all of it, once.
 */

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/moderate-chat-logs/handler.js')).handler;
}

/** Ten messages in ten seconds from one user: the default policy (8 in 10 s) deletes the last two and warns. */
function flood(roomId: string, userId: string) {
  const lines = Array.from({ length: 10 }, (_, second) =>
    chatLogLine(userId, new Date(Date.now() - 30_000 + second * 1000), `look at me ${second}`, {
      role: 'viewer',
    }),
  );
  const ids = lines.map((line) => {
    const record: unknown = JSON.parse(line);
    return isRecord(record) && isRecord(record.payload) ? String(record.payload.Id) : '';
  });
  return { event: subscriptionEvent(roomId, lines), excess: ids.slice(8) };
}

describe('functions/moderate-chat-logs under IVS and DynamoDB faults', () => {
  let backends: FaultyBackends;
  let ivsFaults: FaultPlan;
  let dynamoDbFaults: DynamoDbFaults;
  let events: readonly RoomEvent[] = [];
  let roomId = '';
  let roomArn = '';

  const deletedIds = () => backends.deletedIds();
  const warned = (userId: string) => backends.warningsTo(userId);
  /** The user's saved state: how many strikes, and the keys of the actions still pending. */
  const saved = async (userId: string) => {
    const store = createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    });
    const stored = (await store.loadUsers(roomArn, [userId])).get(userId);
    return {
      strikes: stored?.state.strikes.length ?? 0,
      pending: stored?.pending.map(({ action }) => action.key).sort() ?? [],
    };
  };
  const deletesOf = (ids: readonly string[]) => ids.map((id) => `delete:${id}`).sort();
  const invoke = async (event: unknown) =>
    (await loadHandler())(event, lambdaContext('moderateChatLogs', 60_000));

  beforeAll(async () => {
    backends = await startFaultyBackends({ enforceQuotas: true });
    ({ ivsFaults, dynamoDbFaults, events } = backends);
    const room = backends.state.putRoom('faultsRoom01');
    roomId = room.id;
    roomArn = room.arn;
  });
  afterEach(() => backends.heal());
  afterAll(() => backends.close());

  it.each<[string, InjectedFault]>([
    ['429 ThrottlingException', THROTTLED],
    ['500 InternalServerException', INTERNAL_ERROR],
    ['503', UNAVAILABLE],
  ])(
    'IVS answering %s past the retries: the invocation throws, the failed actions stay pending, and its redelivery deletes them, once',
    async (_case, fault) => {
      const userId = `flooder-${fault.kind === 'error' ? fault.status : 0}`;
      const { event, excess } = flood(roomId, userId);
      const servedBefore = ivsFaults.served('DeleteMessage');
      ivsFaults.inject('DeleteMessage', fault);
      const before = deletedIds().length;

      await expect(invoke(event)).rejects.toThrow(
        '2 enforcement action(s) failed; the batch will be redelivered',
      );
      // Both deletions were tried six times (the executor's maxAttempts), and none went through.
      expect(ivsFaults.served('DeleteMessage') - servedBefore).toBe(12);
      expect(deletedIds()).toHaveLength(before);
      // The warning did go out and is off the list; the state was saved with the two deletions still pending.
      expect(warned(userId)).toBe(1);
      expect(await saved(userId)).toEqual({ strikes: 1, pending: deletesOf(excess) });

      ivsFaults.clear();
      await expect(invoke(event)).resolves.toBeUndefined();
      expect(deletedIds().slice(before).sort()).toEqual([...excess].sort());
      expect(warned(userId)).toBe(1);
      expect(await saved(userId)).toEqual({ strikes: 1, pending: [] });

      await expect(invoke(event)).resolves.toBeUndefined();
      expect(deletedIds()).toHaveLength(before + 2);
    },
  );

  it('IVS failing briefly: the backoff absorbs it and the first delivery does everything', async () => {
    const { event, excess } = flood(roomId, 'brief-outage');
    const servedBefore = ivsFaults.served('DeleteMessage');
    ivsFaults.inject('DeleteMessage', INTERNAL_ERROR, 3);
    const before = deletedIds().length;
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(ivsFaults.served('DeleteMessage') - servedBefore).toBe(3);
    expect(deletedIds().slice(before).sort()).toEqual([...excess].sort());
    expect(warned('brief-outage')).toBe(1);
  });

  it('DynamoDB down (connections refused): the invocation throws before acting, and its redelivery acts once', async () => {
    const { event, excess } = flood(roomId, 'during-outage');
    const before = events.length;
    await dynamoDbFaults.down();
    await expect(invoke(event)).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toHaveLength(before);

    await dynamoDbFaults.up();
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(deletedIds().slice(-2).sort()).toEqual([...excess].sort());
    expect(warned('during-outage')).toBe(1);
    expect(await saved('during-outage')).toEqual({ strikes: 1, pending: [] });
  });

  it('DynamoDB throttling the idempotency table past the SDK retries: no action reaches IVS, and the redelivery acts once', async () => {
    const { event, excess } = flood(roomId, 'throttled-keys');
    const target = { operation: 'PutItem', table: 'idempotency' };
    const callsBefore = dynamoDbFaults.calls(target);
    const before = events.length;
    dynamoDbFaults.inject(target, { kind: 'throttle' });
    await expect(invoke(event)).rejects.toThrow('3 enforcement action(s) failed');
    // No action's key could be claimed (the DynamoDB client's 4 attempts each), and IVS was never called.
    expect(dynamoDbFaults.calls(target) - callsBefore).toBe(12);
    expect(events).toHaveLength(before);
    // Saved before acting: all three wait in the user's item for the redelivery.
    expect((await saved('throttled-keys')).pending).toHaveLength(3);

    dynamoDbFaults.clear();
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(deletedIds().slice(-2).sort()).toEqual([...excess].sort());
    expect(warned('throttled-keys')).toBe(1);
    expect(await saved('throttled-keys')).toEqual({ strikes: 1, pending: [] });
  });

  it('DynamoDB throttling the state read briefly: the SDK retries absorb it', async () => {
    const { event } = flood(roomId, 'throttled-read');
    const target = { operation: 'BatchGetItem', table: 'enforcement' };
    const callsBefore = dynamoDbFaults.calls(target);
    dynamoDbFaults.inject(target, { kind: 'throttle' }, 2);
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(dynamoDbFaults.calls(target) - callsBefore).toBe(3);
    expect(warned('throttled-read')).toBe(1);
    expect(await saved('throttled-read')).toEqual({ strikes: 1, pending: [] });
  });

  it('DynamoDB failing (500) on the save: the invocation throws before acting, and its redelivery acts once', async () => {
    const { event, excess } = flood(roomId, 'unsaved');
    const before = events.length;
    dynamoDbFaults.inject({ operation: 'PutItem', table: 'enforcement' }, { kind: 'server-error' });
    await expect(invoke(event)).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(events).toHaveLength(before);
    expect(await saved('unsaved')).toEqual({ strikes: 0, pending: [] });

    dynamoDbFaults.clear();
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(deletedIds().slice(-2).sort()).toEqual([...excess].sort());
    expect(warned('unsaved')).toBe(1);
    expect(await saved('unsaved')).toEqual({ strikes: 1, pending: [] });
  });

  it('DynamoDB failing (500) after the actions ran, when they are dropped from the list: nothing is repeated', async () => {
    const { event, excess } = flood(roomId, 'uncleared');
    // The save with the actions goes through (one PutItem); the one dropping them, with its retries, fails.
    dynamoDbFaults.inject({ operation: 'PutItem', table: 'enforcement' }, { kind: 'server-error' }, 4, 1);
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(deletedIds().slice(-2).sort()).toEqual([...excess].sort());
    expect(warned('uncleared')).toBe(1);
    expect((await saved('uncleared')).pending).toHaveLength(3);

    // The batch delivered again finds them done (by key), calls IVS for none, and drops them.
    const before = events.length;
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(events).toHaveLength(before);
    expect(await saved('uncleared')).toEqual({ strikes: 1, pending: [] });
  });

  it('DynamoDB slow: nothing is given up early, the batch is enforced once (Lambda’s timeout bounds it)', async () => {
    const { event, excess } = flood(roomId, 'slow-store');
    for (const operation of ['BatchGetItem', 'PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'])
      dynamoDbFaults.inject({ operation }, { kind: 'delay', ms: 300 });
    await expect(invoke(event)).resolves.toBeUndefined();
    expect(deletedIds().slice(-2).sort()).toEqual([...excess].sort());
    expect(warned('slow-store')).toBe(1);
    expect(await saved('slow-store')).toEqual({ strikes: 1, pending: [] });
  });
});
