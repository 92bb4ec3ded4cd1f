import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatState } from '../../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { OWNER_TAG_KEY } from '../../../shared/rooms/validate-room-manifest.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { invokeLocal } from '../../helpers/invoke-local.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

describe('sls invoke local -f reconcileRooms -p events/reconcile-rooms/scheduled.json, against the emulator and dynalite', () => {
  const state = new ChatState();
  let dynamoDb: LocalDynamoDb;
  let controlPlaneUrl = '';
  let closeControlPlane = async () => {};

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    const controlPlane = await startControlPlane(state, { enforceQuotas: true });
    controlPlaneUrl = controlPlane.url;
    closeControlPlane = controlPlane.close;
    state.putRoom('unreviewed01', { name: 'unreviewed' });
    state.putRoom('denyfallbck1', {
      name: 'strict-fallback',
      messageReviewHandler: {
        uri: 'arn:aws:lambda:us-east-1:123456789012:function:other',
        fallbackResult: 'DENY',
      },
    });
  });
  afterAll(async () => {
    await closeControlPlane();
    await dynamoDb.close();
  });

  const invoke = () =>
    invokeLocal('reconcileRooms', 'events/reconcile-rooms/scheduled.json', {
      IVSCHAT_ENDPOINT: controlPlaneUrl,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      ENFORCEMENT_TABLE: 'enforcement',
    });

  it('converges the rooms to the shipped manifest through the packaged build, then finds nothing to do', async () => {
    const first = await invoke();
    expect(first.code, first.stderr).toBe(0);
    const [configuration, ...others] = state.loggingConfigurations.values();
    expect(others).toEqual([]);
    expect(configuration).toMatchObject({
      name: 'moderation-chat-logs',
      destinationConfiguration: {
        cloudWatchLogs: { logGroupName: '/aws/vendedlogs/ivschat/ivs-chat-moderation-dev' },
      },
      tags: { [OWNER_TAG_KEY]: 'ivs-chat-moderation-dev' },
    });
    for (const room of state.rooms.values()) {
      expect(room.messageReviewHandler).toEqual({
        uri: expect.stringMatching(/:function:ivs-chat-moderation-dev-reviewMessage:provisioned$/),
        fallbackResult: 'ALLOW',
      });
      expect(room.loggingConfigurationIdentifiers).toEqual([configuration?.arn]);
    }
    expect(first.stdout).toContain('"drifted": 2');

    const second = await invoke();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('"drifted": 0');
    expect(second.stdout).toContain('"UpdateRoom": 0');
  }, 120_000);
});
