import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeHttpFunction } from '../../../local/http-api.js';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import type { FaultPlan } from '../../../local/ivschat/control-plane/faults.js';
import { THROTTLED, UNAVAILABLE } from '../../../local/ivschat/control-plane/faults.js';
import { isRecord } from '../../../shared/guards.js';
import type { DynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';

/**
 * functions/moderator-api when IVS or DynamoDB fail: the caller is told what failed and that the same
 * request (same Idempotency-Key) finishes it; whatever the retries, each action happens once and the
 * audit log records the request once.
 */

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/moderator-api/handler.js')).handler;
}

describe('functions/moderator-api under IVS and DynamoDB faults', () => {
  let backends: FaultyBackends;
  let ivsFaults: FaultPlan;
  let dynamoDbFaults: DynamoDbFaults;
  let events: readonly RoomEvent[] = [];
  let roomArn = '';

  /** One request as API Gateway passes it, and the answer with its JSON body. */
  const call = async (method: string, path: string, options: { key?: string; body?: unknown } = {}) =>
    invokeHttpFunction(await loadHandler(), 'moderatorApi', {
      method,
      path,
      body: options.body,
      ...(options.key === undefined ? {} : { headers: { 'idempotency-key': options.key } }),
    });
  const auditEntries = async () => {
    const { body } = await call('GET', `/moderation/audit?roomArn=${encodeURIComponent(roomArn)}`);
    return isRecord(body) && Array.isArray(body.entries) ? body.entries : [];
  };
  /** Disconnections of the user (`disconnect`), or events of that name about them. */
  const count = (kind: string, userId: string) =>
    events.filter((event) =>
      kind === 'disconnect'
        ? event.kind === 'disconnect' && event.userId === userId
        : event.kind === 'event' && event.eventName === kind && event.attributes.userId === userId,
    ).length;

  beforeAll(async () => {
    backends = await startFaultyBackends();
    ({ ivsFaults, dynamoDbFaults, events } = backends);
    roomArn = backends.state.putRoom('moderatedAPI').arn;
  });
  afterEach(() => backends.heal());
  afterAll(() => backends.close());

  it('IVS failing past the retries: 502 naming the action, the ban already in force, nothing audited; the same request finishes it once', async () => {
    const key = randomUUID();
    const ban = { roomArn, userId: 'ivs-outage', reason: 'spam' };
    const auditedBefore = (await auditEntries()).length;
    ivsFaults.inject('DisconnectUser', UNAVAILABLE);

    const failed = await call('POST', '/moderation/ban', { key, body: ban });
    expect(failed).toEqual({
      statusCode: 502,
      body: {
        error: 'action-failed',
        failed: [
          {
            key: expect.stringContaining(':disconnect'),
            error: expect.stringMatching(/^ServiceUnavailableException: /),
          },
        ],
        retry: 'send the same request again',
      },
    });
    expect(ivsFaults.served('DisconnectUser')).toBe(6);
    expect(count('disconnect', 'ivs-outage')).toBe(0);
    // The sanction is DynamoDB's: review and the token function refuse the user already.
    const strikes = await call(
      'GET',
      `/moderation/strikes?roomArn=${encodeURIComponent(roomArn)}&userId=ivs-outage`,
    );
    expect(strikes.body).toMatchObject({ sanction: { kind: 'ban', reason: 'spam' } });
    expect(await auditEntries()).toHaveLength(auditedBefore);

    ivsFaults.clear();
    expect(await call('POST', '/moderation/ban', { key, body: ban })).toMatchObject({
      statusCode: 200,
      body: { duplicate: false },
    });
    expect(count('disconnect', 'ivs-outage')).toBe(1);
    expect(count('app:moderation-action', 'ivs-outage')).toBe(1);
    expect(await call('POST', '/moderation/ban', { key, body: ban })).toMatchObject({
      statusCode: 200,
      body: { duplicate: true },
    });
    expect(count('disconnect', 'ivs-outage')).toBe(1);
    expect(await auditEntries()).toHaveLength(auditedBefore + 1);
  });

  it('IVS throttling briefly: the backoff absorbs it and the first request succeeds', async () => {
    const messageId = 'throttled001';
    ivsFaults.inject('DeleteMessage', THROTTLED, 2);
    const response = await call('POST', '/moderation/delete', {
      key: randomUUID(),
      body: { roomArn, messageId, reason: 'spam' },
    });
    expect(response).toMatchObject({ statusCode: 200, body: { duplicate: false } });
    expect(ivsFaults.served('DeleteMessage')).toBe(2);
    expect(backends.deletedIds().filter((id) => id === messageId)).toHaveLength(1);
  });

  it('IVS slow: a retry of the same request while the first waits on IVS is told to retry, and the ban happens once', async () => {
    const key = randomUUID();
    const ban = { roomArn, userId: 'slow-ivs', reason: 'spam' };
    const servedBefore = ivsFaults.served('DisconnectUser');
    ivsFaults.inject('DisconnectUser', { kind: 'delay', ms: 1_500 }, 1);
    const first = call('POST', '/moderation/ban', { key, body: ban });
    // The retry is sent while the first request's DisconnectUser waits on IVS.
    await vi.waitFor(() => expect(ivsFaults.served('DisconnectUser')).toBe(servedBefore + 1), {
      timeout: 10_000,
    });
    // A conflict, not a failure (no 5xx for the API's alarm): the first request may still finish it.
    expect(await call('POST', '/moderation/ban', { key, body: ban })).toEqual({
      statusCode: 409,
      body: {
        error: 'in-progress',
        message: 'the same request is still being carried out',
        retry: 'send the same request again once it has answered',
      },
    });
    expect(await first).toMatchObject({ statusCode: 200, body: { duplicate: false } });
    expect(count('disconnect', 'slow-ivs')).toBe(1);
    expect(await call('POST', '/moderation/ban', { key, body: ban })).toMatchObject({
      statusCode: 200,
      body: { duplicate: true },
    });
    expect(count('disconnect', 'slow-ivs')).toBe(1);
    expect(count('app:moderation-action', 'slow-ivs')).toBe(1);
  });

  it('DynamoDB down: an action request answers 502 having called IVS for nothing, a read answers 503; both succeed once it is back', async () => {
    const key = randomUUID();
    const ban = { roomArn, userId: 'store-outage', reason: 'spam' };
    const before = events.length;
    await dynamoDbFaults.down();

    const refused = await call('POST', '/moderation/ban', { key, body: ban });
    expect(refused.statusCode).toBe(502);
    const failed = isRecord(refused.body) && Array.isArray(refused.body.failed) ? refused.body.failed : [];
    // Every action's key had to be claimed in the idempotency table first: none was, so none ran.
    expect(failed).toHaveLength(3);
    for (const entry of failed)
      expect(entry).toMatchObject({ error: expect.stringContaining('ECONNREFUSED') });
    expect(events).toHaveLength(before);
    expect(await call('GET', `/moderation/audit?roomArn=${encodeURIComponent(roomArn)}`)).toEqual({
      statusCode: 503,
      body: {
        error: 'store-unavailable',
        message: 'the moderation tables could not be read or written',
        retry: 'send the same request again',
      },
    });

    await dynamoDbFaults.up();
    expect(await call('POST', '/moderation/ban', { key, body: ban })).toMatchObject({ statusCode: 200 });
    expect(count('disconnect', 'store-outage')).toBe(1);
    expect(count('app:moderation-action', 'store-outage')).toBe(1);
  });

  it('DynamoDB failing on the audit write after the action: 503, and the same request audits it without acting again', async () => {
    const key = randomUUID();
    const messageId = 'auditFault01';
    const request = { key, body: { roomArn, messageId, reason: 'spam' } };
    const deletions = () => backends.deletedIds().filter((id) => id === messageId).length;
    const auditedBefore = (await auditEntries()).length;
    dynamoDbFaults.inject({ operation: 'PutItem', table: 'enforcement' }, { kind: 'server-error' });

    expect(await call('POST', '/moderation/delete', request)).toMatchObject({
      statusCode: 503,
      body: { error: 'store-unavailable' },
    });
    expect(deletions()).toBe(1);
    expect(await auditEntries()).toHaveLength(auditedBefore);

    dynamoDbFaults.clear();
    expect(await call('POST', '/moderation/delete', request)).toMatchObject({
      statusCode: 200,
      body: { duplicate: false },
    });
    expect(deletions()).toBe(1);
    expect(await auditEntries()).toHaveLength(auditedBefore + 1);
  });

  it('DynamoDB throttling a read past the SDK retries: 503 after its 4 attempts', async () => {
    const target = { operation: 'BatchGetItem', table: 'enforcement' };
    const before = dynamoDbFaults.calls(target);
    dynamoDbFaults.inject(target, { kind: 'throttle' });
    const strikes = await call('GET', `/moderation/strikes?roomArn=${encodeURIComponent(roomArn)}&userId=u`);
    expect(strikes).toMatchObject({ statusCode: 503, body: { error: 'store-unavailable' } });
    expect(dynamoDbFaults.calls(target) - before).toBe(4);
  });
});
