import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmfLine } from '../../helpers/emf.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';
import { invokeLocal } from '../../helpers/invoke-local.js';

/** The room the sample events name. */
const ROOM_ID = 'g1H2I3j4k5L6';

describe('sls invoke local with events/issue-chat-token and events/moderator-api, against the emulator and dynalite', () => {
  // No fault is planned: the emulator and dynalite answer as they would.
  let backends: FaultyBackends;
  beforeAll(async () => {
    backends = await startFaultyBackends();
    backends.state.putRoom(ROOM_ID);
  });
  afterAll(() => backends.close());

  // Metrics on, as deployed: the packaged function's EMF lines are read from its output.
  const invoke = (functionName: string, event: string) =>
    invokeLocal(functionName, event, {
      IVSCHAT_ENDPOINT: backends.controlPlaneUrl,
      DYNAMODB_ENDPOINT: backends.dynamoDb.endpoint,
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
    expect(backends.events.map((event) => event.kind)).toEqual(['disconnect', 'event']);
    expect(actionsByType(ban.stdout)).toEqual(['sanction done 1', 'disconnect done 1', 'notify done 1']);

    const again = await invoke('moderatorApi', 'events/moderator-api/ban.json');
    expect(again.stdout).toContain('\\"duplicate\\":true');
    expect(backends.events).toHaveLength(2);
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
