import { gzipSync } from 'node:zlib';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatState, type RoomEvent } from '../../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import { chatLogLine, subscriptionEvent } from '../../helpers/chat-log-lines.js';
import { captureEmf, TEST_SERVICE } from '../../helpers/emf.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The handler module reads its settings at load, as it does at a cold start: loaded after the stack is up. */
async function loadHandler() {
  vi.resetModules();
  const module = await import('../../../functions/moderate-chat-logs/handler.js');
  return module.handler;
}

const chatLogs = (roomId: string, messages: readonly { userId: string; second: number; content: string }[]) =>
  subscriptionEvent(
    roomId,
    messages.map(({ userId, second, content }) =>
      chatLogLine(userId, new Date(Date.now() - 30_000 + second * 1000), content, { role: 'viewer' }),
    ),
  );
/** Ten messages from one user in ten seconds: over the default policy's flood limit of 8 in 10 s. */
const flood = (roomId: string, userId: string) =>
  chatLogs(
    roomId,
    Array.from({ length: 10 }, (_, second) => ({ userId, second, content: `look at me ${second}` })),
  );

describe('functions/moderate-chat-logs against the emulator and dynalite', () => {
  const state = new ChatState();
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  let dynamoDb: LocalDynamoDb;
  let closeControlPlane = async () => {};
  let roomId = '';

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    const client = dynamoDb.client();
    await createTable(client, 'enforcement', ENFORCEMENT_TABLE);
    await createTable(client, 'idempotency', IDEMPOTENCY_TABLE);
    const controlPlane = await startControlPlane(state, { enforceQuotas: true });
    closeControlPlane = controlPlane.close;
    const ivs = new IvschatClient({
      endpoint: controlPlane.url,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    roomId = (await ivs.send(new CreateRoomCommand({ name: 'consumer' }))).id ?? '';
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('ENFORCEMENT_TABLE', 'enforcement');
    vi.stubEnv('IDEMPOTENCY_TABLE', 'idempotency');
    vi.stubEnv('DYNAMODB_ENDPOINT', dynamoDb.endpoint);
    vi.stubEnv('IVSCHAT_ENDPOINT', controlPlane.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await closeControlPlane();
    await dynamoDb.close();
  });

  it('deletes a flood and warns once, acts once on a redelivered batch, and re-checks delivered messages', async () => {
    const handler = await loadHandler();
    const flooder = flood(roomId, 'flooder');
    await handler(flooder, lambdaContext('moderateChatLogs', 10_000));
    const deleted = () =>
      events.filter((event) => event.kind === 'event' && event.eventName === 'aws:DELETE_MESSAGE');
    const warnings = () =>
      events.filter((event) => event.kind === 'event' && event.eventName === 'app:moderation-warning');
    // The default policy's flood limit is 8 in 10 s: the 9th and 10th messages go, with one warning.
    expect(deleted()).toHaveLength(2);
    expect(warnings()).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ userId: 'flooder', strikes: '1' }) }),
    ]);

    await handler(flooder, lambdaContext('moderateChatLogs', 10_000));
    expect(deleted()).toHaveLength(2);
    expect(warnings()).toHaveLength(1);

    await handler(
      chatLogs(roomId, [{ userId: 'troll', second: 0, content: 'you faggot' }]),
      lambdaContext('moderateChatLogs', 10_000),
    );
    expect(deleted()).toHaveLength(3);
  });

  it('publishes its counts and ActionsByType as EMF; a redelivered batch plans nothing new', async () => {
    const emf = captureEmf();
    try {
      const handler = await loadHandler();
      const metered = flood(roomId, 'metered');
      await handler(metered, lambdaContext('moderateChatLogs', 10_000));
      await handler(metered, lambdaContext('moderateChatLogs', 10_000));
      const lines = emf.lines();
      const byType = lines.filter(({ dimensionSets }) => dimensionSets[0]?.includes('Action') === true);
      expect(byType.map(({ dimensionSets, units, fields }) => ({ dimensionSets, units, fields }))).toEqual([
        {
          dimensionSets: [['service', 'Action', 'Outcome']],
          units: { ActionsByType: 'Count' },
          fields: { service: TEST_SERVICE, Action: 'delete-message', Outcome: 'done', ActionsByType: 2 },
        },
        {
          dimensionSets: [['service', 'Action', 'Outcome']],
          units: { ActionsByType: 'Count' },
          fields: { service: TEST_SERVICE, Action: 'warn', Outcome: 'done', ActionsByType: 1 },
        },
      ]);
      // The per-invocation counts, on the service alone (what the alarms read), flushed by logMetrics.
      const counts = lines.filter(
        ({ dimensionSets }) => dimensionSets.length === 1 && dimensionSets[0]?.length === 1,
      );
      expect(counts.map(({ fields }) => fields)).toEqual([
        {
          service: TEST_SERVICE,
          ChatLogRecords: 10,
          ChatLogRecordsRejected: 0,
          EnvelopesRefused: 0,
          Deletions: 2,
          Warnings: 1,
          ActionsDone: 3,
          ActionRetries: 0,
          ActionThrottles: 0,
        },
        { service: TEST_SERVICE, ChatLogRecords: 10, ChatLogRecordsRejected: 0, EnvelopesRefused: 0 },
      ]);
    } finally {
      emf.stop();
    }
  });

  it('returns without throwing for a control message and for envelopes it refuses', async () => {
    const handler = await loadHandler();
    const control = {
      awslogs: {
        data: gzipSync(Buffer.from(JSON.stringify({ messageType: 'CONTROL_MESSAGE' }))).toString('base64'),
      },
    };
    await expect(handler(control, lambdaContext('moderateChatLogs'))).resolves.toBeUndefined();
    await expect(
      handler({ awslogs: { data: '%%%' } }, lambdaContext('moderateChatLogs')),
    ).resolves.toBeUndefined();
    await expect(handler('not an event', lambdaContext('moderateChatLogs'))).resolves.toBeUndefined();
  });
});
