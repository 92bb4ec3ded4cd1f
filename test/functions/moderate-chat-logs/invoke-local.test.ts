import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatState, type RoomEvent } from '../../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { decodeSubscriptionEvent } from '../../../shared/chat-logs/log-envelopes.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import { invokeLocal } from '../../helpers/invoke-local.js';
import { eventScenarios, loadEvent } from '../../helpers/load-event.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { REPO_ROOT } from '../../helpers/run-command.js';

/** The room the sample events' log stream names. */
const ROOM_ID = 'g1H2I3j4k5L6';

describe('events/moderate-chat-logs', () => {
  it('are each the gzip + base64 encoding of their .decoded.json twin', () => {
    for (const scenario of eventScenarios('moderate-chat-logs')) {
      const twin: unknown = JSON.parse(
        readFileSync(path.join(REPO_ROOT, 'events/moderate-chat-logs', `${scenario}.decoded.json`), 'utf8'),
      );
      const decoded = decodeSubscriptionEvent(loadEvent('moderate-chat-logs', scenario));
      expect(decoded.kind, scenario).not.toBe('invalid');
      if (decoded.kind === 'data')
        expect(twin).toMatchObject({ logStream: decoded.logStream, logEvents: decoded.logEvents });
      else expect(twin).toMatchObject({ messageType: 'CONTROL_MESSAGE' });
    }
  });
});

describe('sls invoke local -f moderateChatLogs, against the emulator and dynalite', () => {
  const state = new ChatState();
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  let dynamoDb: LocalDynamoDb;
  let controlPlaneUrl = '';
  let closeControlPlane = async () => {};

  beforeAll(async () => {
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    await createTable(dynamoDb.client(), 'idempotency', IDEMPOTENCY_TABLE);
    const controlPlane = await startControlPlane(state);
    controlPlaneUrl = controlPlane.url;
    closeControlPlane = controlPlane.close;
    state.putRoom(ROOM_ID);
  });
  afterAll(async () => {
    await closeControlPlane();
    await dynamoDb.close();
  });

  const invoke = (scenario: string) =>
    invokeLocal('moderateChatLogs', `events/moderate-chat-logs/${scenario}.json`, {
      IVSCHAT_ENDPOINT: controlPlaneUrl,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      ENFORCEMENT_TABLE: 'enforcement',
      IDEMPOTENCY_TABLE: 'idempotency',
    });
  const eventNames = () => events.map((event) => (event.kind === 'event' ? event.eventName : 'disconnect'));

  it('runs every sample through the packaged build', async () => {
    for (const scenario of ['control-message', 'malformed-records']) {
      const { code, stderr } = await invoke(scenario);
      expect(code, stderr).toBe(0);
    }
    expect(events).toEqual([]);

    expect((await invoke('flood')).code).toBe(0);
    // Ten messages in ten seconds, eight allowed: two deletions and one warning.
    // The executor runs a batch's actions concurrently: their order is not fixed.
    expect(eventNames().sort()).toEqual([
      'app:moderation-warning',
      'aws:DELETE_MESSAGE',
      'aws:DELETE_MESSAGE',
    ]);

    events.length = 0;
    expect((await invoke('recheck')).code).toBe(0);
    // The slur is deleted with a strike (a warning); the profanity, delivered unmasked, is deleted without one.
    expect(eventNames().sort()).toEqual([
      'app:moderation-warning',
      'aws:DELETE_MESSAGE',
      'aws:DELETE_MESSAGE',
    ]);
  }, 120_000);
});
