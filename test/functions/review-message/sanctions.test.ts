import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../local/lambda-context.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';
const event = (userId: string, role = 'viewer') => ({
  Content: 'hello there',
  MessageId: 'msg000000001',
  RoomArn: ROOM,
  Attributes: {},
  Sender: { UserId: userId, Attributes: { role }, Ip: '198.51.100.7' },
});

/** The handler reads its settings at load, as at a cold start. */
async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/review-message/handler.js')).handler;
}

describe('review-message reads sanctions from the enforcement table', () => {
  let dynamoDb: LocalDynamoDb;

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    const store = createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client()),
      tableName: 'enforcement',
    });
    await store.putSanction(ROOM, 'banned', { kind: 'ban', reason: 'spam' });
    await store.putSanction(ROOM, 'timed-out', {
      kind: 'timeout',
      untilMillis: Date.now() + 600_000,
      reason: 'flood',
    });
    vi.stubEnv('ENFORCEMENT_TABLE', 'enforcement');
    vi.stubEnv('DYNAMODB_ENDPOINT', dynamoDb.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynamoDb.close();
  });

  it('denies banned and timed-out senders, lets others and exempt moderators through', async () => {
    const handler = await loadHandler();
    const context = lambdaContext('reviewMessage', 3_000);
    // A cold lookup may outlast its 25 ms budget on a busy machine: review then fails open and the late
    // answer fills the cache, so the sender's next message is refused. Real traffic retries the same way.
    await vi.waitFor(
      async () =>
        expect(await handler(event('banned'), context)).toMatchObject({
          ReviewResult: 'DENY',
          Attributes: { Reason: 'You are banned from this chat.', 'moderation.rules': 'sanction' },
        }),
      { timeout: 10_000 },
    );
    await vi.waitFor(
      async () =>
        expect(await handler(event('timed-out'), context)).toMatchObject({
          ReviewResult: 'DENY',
          Attributes: { Reason: expect.stringMatching(/^You are timed out until \d\d:\d\d UTC\.$/) },
        }),
      { timeout: 10_000 },
    );
    expect(await handler(event('someone-else'), context)).toMatchObject({ ReviewResult: 'ALLOW' });
    expect(await handler(event('banned', 'moderator'), context)).toMatchObject({ ReviewResult: 'ALLOW' });
  });

  it('fails open when the table cannot be reached: review goes on without the sanction', async () => {
    vi.stubEnv('DYNAMODB_ENDPOINT', 'http://127.0.0.1:9'); // nothing listens on the discard port
    const handler = await loadHandler();
    expect(await handler(event('banned'), lambdaContext('reviewMessage', 3_000))).toMatchObject({
      ReviewResult: 'ALLOW',
    });
    vi.stubEnv('DYNAMODB_ENDPOINT', dynamoDb.endpoint);
  });

  it('looks nothing up when the stage has no enforcement table', async () => {
    vi.stubEnv('ENFORCEMENT_TABLE', '');
    const handler = await loadHandler();
    expect(await handler(event('banned'), lambdaContext('reviewMessage', 3_000))).toMatchObject({
      ReviewResult: 'ALLOW',
    });
    vi.stubEnv('ENFORCEMENT_TABLE', 'enforcement');
  });
});
