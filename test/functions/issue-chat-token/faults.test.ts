import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeHttpFunction } from '../../../local/http-api.js';
import type { ChatState } from '../../../local/ivschat/chat-state.js';
import type { FaultPlan } from '../../../local/ivschat/control-plane/faults.js';
import { INTERNAL_ERROR, THROTTLED } from '../../../local/ivschat/control-plane/faults.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import type { DynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';

/**
 * functions/issue-chat-token when DynamoDB or IVS fail. It fails closed: no sanctions read, no token (a
 * banned user must not get back in), and the backend is told to try again (503).
 */

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/issue-chat-token/handler.js')).handler;
}

describe('functions/issue-chat-token under DynamoDB and IVS faults', () => {
  let backends: FaultyBackends;
  let state: ChatState;
  let ivsFaults: FaultPlan;
  let dynamoDbFaults: DynamoDbFaults;
  let roomArn = '';

  const requestToken = async (userId: string) =>
    invokeHttpFunction(await loadHandler(), 'issueChatToken', {
      method: 'POST',
      path: '/tokens',
      body: { roomArn, userId },
    });
  const tokensFor = (userId: string) => [...state.tokens.values()].filter((token) => token.userId === userId);

  beforeAll(async () => {
    backends = await startFaultyBackends();
    ({ state, ivsFaults, dynamoDbFaults } = backends);
    roomArn = state.putRoom('tokenFaults1').arn;
    await createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    }).putSanction(roomArn, 'banned', { kind: 'ban', reason: 'spam' });
  });
  afterEach(() => backends.heal());
  afterAll(() => backends.close());

  const unavailable = {
    statusCode: 503,
    body: { error: 'sanctions-unavailable', message: 'sanctions could not be read; try again' },
  };

  it('DynamoDB down: 503 and no token, for a banned user and anyone else alike', async () => {
    await dynamoDbFaults.down();
    expect(await requestToken('banned')).toEqual(unavailable);
    expect(await requestToken('viewer-1')).toEqual(unavailable);
    expect(tokensFor('viewer-1')).toEqual([]);

    await dynamoDbFaults.up();
    expect(await requestToken('banned')).toMatchObject({ statusCode: 403, body: { error: 'banned' } });
    expect(await requestToken('viewer-1')).toMatchObject({
      statusCode: 200,
      body: { token: expect.any(String) },
    });
    expect(tokensFor('viewer-1')).toHaveLength(1);
  });

  it('DynamoDB throttling: absorbed by the SDK retries when brief, 503 and no token past its 4 attempts', async () => {
    const target = { operation: 'GetItem', table: 'enforcement' };
    dynamoDbFaults.inject(target, { kind: 'throttle' }, 3);
    expect(await requestToken('viewer-2')).toMatchObject({ statusCode: 200 });

    const before = dynamoDbFaults.calls(target);
    dynamoDbFaults.inject(target, { kind: 'throttle' });
    expect(await requestToken('viewer-3')).toEqual(unavailable);
    expect(dynamoDbFaults.calls(target) - before).toBe(4);
    expect(tokensFor('viewer-3')).toEqual([]);
  });

  it('IVS failing once (500): the SDK retry gets the token', async () => {
    ivsFaults.inject('CreateChatToken', INTERNAL_ERROR, 1);
    expect(await requestToken('viewer-4')).toMatchObject({
      statusCode: 200,
      body: { token: expect.any(String) },
    });
    expect(ivsFaults.served('CreateChatToken')).toBe(1);
    expect(tokensFor('viewer-4')).toHaveLength(1);
  });

  it('IVS throttling past the SDK retries: 503 ivs-unavailable after its 3 attempts; a banned user is still refused without asking IVS', async () => {
    const before = ivsFaults.served('CreateChatToken');
    ivsFaults.inject('CreateChatToken', THROTTLED);
    expect(await requestToken('viewer-5')).toEqual({
      statusCode: 503,
      body: { error: 'ivs-unavailable', message: 'ThrottlingException' },
    });
    expect(ivsFaults.served('CreateChatToken') - before).toBe(3);
    expect(await requestToken('banned')).toMatchObject({ statusCode: 403 });
    expect(ivsFaults.served('CreateChatToken') - before).toBe(3);
  });

  it('IVS not answering: the attempt is abandoned after 3 s without a byte and the retry gets the token', async () => {
    ivsFaults.inject('CreateChatToken', { kind: 'delay', ms: 5_000 }, 1);
    expect(await requestToken('viewer-6')).toMatchObject({
      statusCode: 200,
      body: { token: expect.any(String) },
    });
    // The abandoned attempt is carried out when its delay ends: a second token nobody holds, which expires.
    await vi.waitFor(() => expect(tokensFor('viewer-6')).toHaveLength(2), { timeout: 5_000 });
  });
});
