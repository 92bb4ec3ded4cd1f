import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatState } from '../../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import { captureEmf, TEST_SERVICE } from '../../helpers/emf.js';
import { loadEvent } from '../../helpers/load-event.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

/** The room events/moderator-api/ban.json names. */
const ROOM_ID = 'g1H2I3j4k5L6';

describe('moderator-api metrics (EMF), against the emulator and dynalite', () => {
  const state = new ChatState();
  let dynamoDb: LocalDynamoDb;
  let closeControlPlane = async () => {};

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    await createTable(dynamoDb.client(), 'idempotency', IDEMPOTENCY_TABLE);
    const controlPlane = await startControlPlane(state);
    closeControlPlane = controlPlane.close;
    state.putRoom(ROOM_ID);
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

  it('publishes its actions by type and outcome: done, then duplicate for the same request again', async () => {
    const emf = captureEmf();
    try {
      vi.resetModules();
      const { handler } = await import('../../../functions/moderator-api/handler.js');
      const ban = loadEvent('moderator-api', 'ban');
      await handler(ban, lambdaContext('moderatorApi'));
      await handler(ban, lambdaContext('moderatorApi'));
      const lines = emf.lines();
      for (const line of lines) expect(line.dimensionSets).toEqual([['service', 'Action', 'Outcome']]);
      const outcomes = lines.map(({ fields }) => fields);
      expect(outcomes).toEqual([
        { service: TEST_SERVICE, Action: 'sanction', Outcome: 'done', ActionsByType: 1 },
        { service: TEST_SERVICE, Action: 'disconnect', Outcome: 'done', ActionsByType: 1 },
        { service: TEST_SERVICE, Action: 'notify', Outcome: 'done', ActionsByType: 1 },
        { service: TEST_SERVICE, Action: 'sanction', Outcome: 'duplicate', ActionsByType: 1 },
        { service: TEST_SERVICE, Action: 'disconnect', Outcome: 'duplicate', ActionsByType: 1 },
        { service: TEST_SERVICE, Action: 'notify', Outcome: 'duplicate', ActionsByType: 1 },
      ]);
    } finally {
      emf.stop();
    }
  });
});
