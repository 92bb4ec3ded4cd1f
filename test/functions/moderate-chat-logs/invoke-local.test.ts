import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSubscriptionEvent } from '../../../shared/chat-logs/log-envelopes.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';
import { invokeLocal } from '../../helpers/invoke-local.js';
import { eventScenarios, loadEvent } from '../../helpers/load-event.js';
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
  // No fault is planned: the emulator and dynalite answer as they would.
  let backends: FaultyBackends;
  beforeAll(async () => {
    backends = await startFaultyBackends();
    backends.state.putRoom(ROOM_ID);
  });
  afterAll(() => backends.close());

  const invoke = (scenario: string) =>
    invokeLocal('moderateChatLogs', `events/moderate-chat-logs/${scenario}.json`, {
      IVSCHAT_ENDPOINT: backends.controlPlaneUrl,
      DYNAMODB_ENDPOINT: backends.dynamoDb.endpoint,
      ENFORCEMENT_TABLE: 'enforcement',
      IDEMPOTENCY_TABLE: 'idempotency',
    });
  /** The room events since the first `from`. */
  const eventNames = (from = 0) =>
    backends.events.slice(from).map((event) => (event.kind === 'event' ? event.eventName : 'disconnect'));

  it('runs every sample through the packaged build', async () => {
    for (const scenario of ['control-message', 'malformed-records']) {
      const { code, stderr } = await invoke(scenario);
      expect(code, stderr).toBe(0);
    }
    expect(backends.events).toEqual([]);

    expect((await invoke('flood')).code).toBe(0);
    // Ten messages in ten seconds, eight allowed: two deletions and one warning.
    // The executor runs a batch's actions concurrently: their order is not fixed.
    expect(eventNames().sort()).toEqual([
      'app:moderation-warning',
      'aws:DELETE_MESSAGE',
      'aws:DELETE_MESSAGE',
    ]);

    const afterFlood = backends.events.length;
    expect((await invoke('recheck')).code).toBe(0);
    // The slur is deleted with a strike (a warning); the profanity, delivered unmasked, is deleted without one.
    expect(eventNames(afterFlood).sort()).toEqual([
      'app:moderation-warning',
      'aws:DELETE_MESSAGE',
      'aws:DELETE_MESSAGE',
    ]);
  }, 120_000);
});
