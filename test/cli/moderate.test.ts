import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatState, type RoomEvent } from '../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../local/ivschat/control-plane.js';
import { createTable, ENFORCEMENT_TABLE } from '../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../shared/store/idempotent-once.js';
import type { LocalDynamoDb } from '../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { runCliInProcess } from '../helpers/run-cli.js';

describe('ivs-mod ban, unban, timeout, strikes and audit against the emulator and dynalite', () => {
  const state = new ChatState();
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  let dynamoDb: LocalDynamoDb;
  let close = async () => {};
  let options: string[] = [];
  const room = state.putRoom('moderated001', { name: 'moderated' }).arn;

  beforeAll(async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    await createTable(dynamoDb.client(), 'idempotency', IDEMPOTENCY_TABLE);
    const controlPlane = await startControlPlane(state, { enforceQuotas: true });
    close = controlPlane.close;
    options = [
      '--table',
      'enforcement',
      '--idempotency-table',
      'idempotency',
      '--endpoint',
      controlPlane.url,
      '--dynamodb-endpoint',
      dynamoDb.endpoint,
    ];
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await close();
    await dynamoDb.close();
  });

  // In this process (test/cli/ivs-mod.test.ts runs the bin itself): the commands' output and exit codes.
  const ivsMod = (...args: string[]) => runCliInProcess([...args, ...options]);
  const json = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line): unknown => JSON.parse(line));

  it('bans once per request id, shows the sanction, lifts it, and lists both in the audit log', async () => {
    const ban = await ivsMod(
      'ban',
      room,
      'troll',
      '--reason',
      'spam',
      '--moderator',
      'Alice',
      '--request-id',
      'req-ban-0001',
    );
    expect(ban.stderr).toBe('');
    expect(ban.code).toBe(0);
    expect(json(ban.stdout)).toEqual([
      expect.objectContaining({ action: 'ban', userId: 'troll', moderatorName: 'Alice', duplicate: false }),
    ]);
    expect(events.map((event) => event.kind)).toEqual(['disconnect', 'event']);

    const again = await ivsMod('ban', room, 'troll', '--reason', 'spam', '--request-id', 'req-ban-0001');
    expect(json(again.stdout)).toEqual([expect.objectContaining({ duplicate: true })]);
    expect(events).toHaveLength(2);

    expect(json((await ivsMod('strikes', room, 'troll')).stdout)).toEqual([
      { userId: 'troll', strikes: [], sanction: { kind: 'ban', reason: 'spam' }, pending: [] },
    ]);
    expect((await ivsMod('unban', room, 'troll')).code).toBe(0);
    expect(json((await ivsMod('strikes', room, 'troll')).stdout)).toEqual([
      { userId: 'troll', strikes: [], sanction: null, pending: [] },
    ]);
    const timeout = await ivsMod('timeout', room, 'loud', '--seconds', '600', '--reason', 'caps');
    expect(json(timeout.stdout)).toEqual([
      expect.objectContaining({ action: 'timeout', until: expect.any(String) }),
    ]);

    const audit = await ivsMod('audit', room);
    expect(json(audit.stdout)).toEqual([
      expect.objectContaining({ action: 'ban', requestId: 'req-ban-0001' }),
      expect.objectContaining({ action: 'unban', reason: 'lifted' }),
      expect.objectContaining({ action: 'timeout', userId: 'loud' }),
    ]);
    expect(json((await ivsMod('audit', room, '--user', 'loud')).stdout)).toHaveLength(1);
  }, 60_000);

  it('explains a bad command and exits 2', async () => {
    const bad = await ivsMod('timeout', room, 'x', '--reason', 'r', '--seconds', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('seconds: a whole number');
  }, 30_000);
});
