import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../../local/ivschat/chat-state.js';
import { startMessaging } from '../../../local/ivschat/messaging.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { isRecord } from '../../../shared/guards.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

const REVIEW_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-test-reviewMessage';

/**
 * A slow enforcement table must not make review slow: through the emulator's messaging endpoint and the
 * official client, in a room whose fallbackResult is DENY (a review over IVS's 200 ms would refuse every
 * message), the review function still answers itself, without the sanction it could not read in time.
 */
describe('the official client in a room whose review function reads a slow enforcement table', () => {
  let backends: FaultyBackends;
  let messaging: RunningServer;
  const rooms: ChatRoom[] = [];

  beforeAll(async () => {
    backends = await startFaultyBackends();
    vi.resetModules();
    const { handler } = await import('../../../functions/review-message/handler.js');
    // A warm function, as in a room with traffic: a cold start is what provisioned concurrency is for.
    await handler({ Content: 'warm up', Sender: { UserId: 'warm-up' } }, lambdaContext('warm-up'));
    messaging = await startMessaging(backends.state, {
      reviewHandlers: (arn) => (arn === REVIEW_ARN ? handler : undefined),
    });
  });
  afterAll(async () => {
    for (const room of rooms) room.disconnect();
    await messaging.close();
    await backends.close();
  });

  async function join(roomArn: string, userId: string): Promise<ChatRoom> {
    const room = new ChatRoom({
      regionOrUrl: messaging.url,
      tokenProvider: async () => ({
        token: backends.state.issueToken({
          roomArn,
          userId,
          attributes: { role: 'viewer' },
          capabilities: ['SEND_MESSAGE'],
          sessionDurationInMinutes: 60,
        }).token,
      }),
    });
    room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
    const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
    room.connect();
    rooms.push(room);
    await connected;
    return room;
  }

  it('delivers the banned sender’s message as the function reviewed it (masked, not refused by the fallback), then refuses them once the late read lands', async () => {
    const room = backends.state.putRoom('slowTable001', {
      messageReviewHandler: { uri: REVIEW_ARN, fallbackResult: 'DENY' },
    });
    await createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    }).putSanction(room.arn, 'banned', { kind: 'ban', reason: 'spam' });
    // Every sanction read answers after a second: five times IVS's whole review budget.
    backends.dynamoDbFaults.inject(
      { operation: 'GetItem', table: 'enforcement' },
      { kind: 'delay', ms: 1_000 },
    );
    const banned = await join(room.arn, 'banned');

    await expect(banned.sendMessage(new SendMessageRequest('what the fuck'))).resolves.toMatchObject({
      content: 'what the ****',
      attributes: { 'moderation.result': 'masked' },
    });
    await vi.waitFor(
      async () => {
        const refusal: unknown = await banned.sendMessage(new SendMessageRequest('hello')).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isRecord(refusal) ? refusal : {}).toMatchObject({
          errorCode: 406,
          errorMessage: 'You are banned from this chat.',
        });
      },
      { timeout: 5_000, interval: 200 },
    );
  });
});
