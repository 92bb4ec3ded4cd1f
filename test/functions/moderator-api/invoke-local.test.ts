import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatState, type RoomEvent } from '../../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import { parseEmfLine } from '../../helpers/emf.js';
import { invokeLocal } from '../../helpers/invoke-local.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

/** The room the sample events name. */
const ROOM_ID = 'g1H2I3j4k5L6';

describe('sls invoke local with events/issue-chat-token and events/moderator-api, against the emulator and dynalite', () => {
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

  // Metrics on, as deployed: the packaged function's EMF lines are read from its output.
  const invoke = (functionName: string, event: string) =>
    invokeLocal(functionName, event, {
      IVSCHAT_ENDPOINT: controlPlaneUrl,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      ENFORCEMENT_TABLE: 'enforcement',
      IDEMPOTENCY_TABLE: 'idempotency',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
  /** The ActionsByType lines of an invocation: action and outcome to count. */
  const actionsByType = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map(parseEmfLine)
      .map(({ namespace, dimensionSets, fields }) => {
        expect(namespace).toBe('IvsChatModeration');
        expect(dimensionSets).toEqual([['service', 'Action', 'Outcome']]);
        return `${fields.Action} ${fields.Outcome} ${fields.ActionsByType}`;
      });

  it('issues a token, bans once however often the request comes, and lists the ban in the audit log', async () => {
    const token = await invoke('issueChatToken', 'events/issue-chat-token/viewer.json');
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toContain('"statusCode": 200');
    expect(token.stdout).toContain('tokenExpirationTime');

    const ban = await invoke('moderatorApi', 'events/moderator-api/ban.json');
    expect(ban.code, ban.stderr).toBe(0);
    expect(ban.stdout).toContain('"statusCode": 200');
    expect(ban.stdout).toContain('\\"duplicate\\":false');
    expect(events.map((event) => event.kind)).toEqual(['disconnect', 'event']);
    expect(actionsByType(ban.stdout)).toEqual(['sanction done 1', 'disconnect done 1', 'notify done 1']);

    const again = await invoke('moderatorApi', 'events/moderator-api/ban.json');
    expect(again.stdout).toContain('\\"duplicate\\":true');
    expect(events).toHaveLength(2);
    expect(actionsByType(again.stdout)).toEqual([
      'sanction duplicate 1',
      'disconnect duplicate 1',
      'notify duplicate 1',
    ]);

    const audit = await invoke('moderatorApi', 'events/moderator-api/audit.json');
    expect(audit.stdout).toContain('"statusCode": 200');
    expect(audit.stdout.match(/\\"action\\":\\"ban\\"/g)).toHaveLength(1);
    expect(audit.stdout).toContain('arn:aws:sts::123456789012:assumed-role/moderators/alice');
  }, 180_000);
});
