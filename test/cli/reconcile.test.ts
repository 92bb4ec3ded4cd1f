import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatState } from '../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../local/ivschat/control-plane.js';
import { createTable, ENFORCEMENT_TABLE } from '../../shared/store/enforcement-table.js';
import type { LocalDynamoDb } from '../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { REPO_ROOT, runCommand } from '../helpers/run-command.js';

const BIN = path.join(REPO_ROOT, 'cli/ivs-mod.cjs');
const REVIEW_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-dev-reviewMessage';

describe('ivs-mod reconcile, against the emulator (quotas on) and dynalite', () => {
  const state = new ChatState();
  let dynamoDb: LocalDynamoDb;
  let endpoint = '';
  let close = async () => {};

  beforeAll(async () => {
    // The emulator checks no signatures, but the SDK wants credentials to sign with.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    const controlPlane = await startControlPlane(state, { enforceQuotas: true });
    endpoint = controlPlane.url;
    close = controlPlane.close;
    state.putRoom('roomAAAA0001', { name: 'lobby' });
    state.putRoom('roomAAAA0002', {
      name: 'stage-chat',
      messageReviewHandler: { uri: REVIEW_ARN, fallbackResult: 'DENY' },
    });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await close();
    await dynamoDb.close();
  });

  const reconcile = (...args: string[]) =>
    runCommand(process.execPath, [
      BIN,
      'reconcile',
      '--endpoint',
      endpoint,
      '--review-function-arn',
      REVIEW_ARN,
      '--log-group',
      '/ivs-chat-moderation/dev/chat',
      ...args,
    ]);

  it('prints the plan in a dry run, changes nothing, and exits 1 while changes are pending', async () => {
    const before = JSON.stringify([...state.rooms.values()]);
    const { code, stdout, stderr } = await reconcile();
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout.split('\n').map((line) => line.trim().replace(/ +/g, ' '));
    expect(lines).toEqual(
      expect.arrayContaining([
        '+ logging configuration moderation-chat-logs → cloudWatchLogs /ivs-chat-moderation/dev/chat',
        '~ room lobby (arn:aws:ivschat:us-east-1:123456789012:room/roomAAAA0001)',
        `reviewHandler.uri: (unset) → ${REVIEW_ARN}`,
        '~ room stage-chat (arn:aws:ivschat:us-east-1:123456789012:room/roomAAAA0002)',
        'reviewHandler.fallbackResult: DENY → ALLOW',
        'loggingConfigurations: [] → [(new) moderation-chat-logs]',
        'Plan: 3 changes (1 logging configuration to create, 2 room updates).',
        'Rooms: 2 listed, 2 selected, 0 in sync, 2 drifted.',
        'Dry run: nothing changed (--apply applies the plan).',
        'Calls: ListRooms 1, ListLoggingConfigurations 1.',
      ]),
    );
    expect(JSON.stringify([...state.rooms.values()])).toBe(before);
    expect(state.loggingConfigurations.size).toBe(0);
  }, 60_000);

  it('refuses --apply without the table that holds published policies', async () => {
    const { code, stderr } = await reconcile('--apply');
    expect(code).toBe(2);
    expect(stderr).toContain('--apply needs --table');
  }, 30_000);

  it('applies the plan with --apply, and then finds the fleet in sync', async () => {
    const table = ['--table', 'enforcement', '--dynamodb-endpoint', dynamoDb.endpoint];
    const applied = await reconcile('--apply', ...table);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Applied (\d+) of \1 changes, 0 failed\./);
    for (const room of state.rooms.values()) {
      expect(room.messageReviewHandler).toEqual({ uri: REVIEW_ARN, fallbackResult: 'ALLOW' });
      expect(room.loggingConfigurationIdentifiers).toHaveLength(1);
    }

    const again = await reconcile(...table);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  }, 60_000);
});
