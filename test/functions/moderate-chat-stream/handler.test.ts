import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../local/lambda-context.js';
import { isRecord } from '../../../shared/guards.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import { chatLogLine } from '../../helpers/chat-log-lines.js';
import type { EmulatedRoom } from '../../helpers/emulated-room.js';
import { startEmulatedRoom } from '../../helpers/emulated-room.js';
import { stubFunctionEnvironment } from '../../helpers/function-environment.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/moderate-chat-stream/handler.js')).handler;
}

const line = (userId: string, second: number, content: string) =>
  chatLogLine(userId, new Date(Date.now() - 20_000 + second * 1000), content, { role: 'viewer' });
const record = (recordId: string, data: string) => ({
  recordId,
  approximateArrivalTimestamp: Date.now(),
  data,
});
const plain = (lines: readonly string[]) => Buffer.from(`${lines.join('\n')}\n`).toString('base64');
const firehoseEvent = (records: ReturnType<typeof record>[]) => ({
  invocationId: 'invocation-1',
  deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/chat',
  region: 'us-east-1',
  records,
});
/** The archive's copy of a record: its NDJSON lines, parsed. */
const archived = (data: string): unknown[] =>
  Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text));

describe('functions/moderate-chat-stream (Firehose transformation) against the emulator and dynalite', () => {
  let room: EmulatedRoom;
  let dynamoDb: LocalDynamoDb;

  beforeAll(async () => {
    room = await startEmulatedRoom('stream');
    dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    await createTable(dynamoDb.client(), 'idempotency', IDEMPOTENCY_TABLE);
    stubFunctionEnvironment(dynamoDb.endpoint, room.endpoint, {
      FIREHOSE_ROOM_ARN: room.roomArn,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynamoDb.close();
    await room.close();
  });

  it('answers every record by its recordId: Ok with verdicts and redactions, ProcessingFailed for the malformed', async () => {
    const handler = await loadHandler();
    const flood = Array.from({ length: 10 }, (_, second) => line('flooder', second, `look ${second}`));
    const result = await handler(
      firehoseEvent([
        record('clean', plain([line('ann', 0, 'hello there')])),
        record('masked', plain([line('bob', 1, 'what the fuck')])),
        record('slur', plain([line('troll', 2, 'you faggot')])),
        record('flood', plain(flood)),
        record('broken', plain(['{not json'])),
        record('bomb', gzipSync(Buffer.alloc(20 * 1024 * 1024)).toString('base64')),
      ]),
      lambdaContext('moderateChatStream', 60_000),
    );
    const byId = new Map(result.records.map((entry) => [entry.recordId, entry]));
    expect([...byId.keys()]).toEqual(['clean', 'masked', 'slur', 'flood', 'broken', 'bomb']);
    expect(byId.get('broken')?.result).toBe('ProcessingFailed');
    expect(byId.get('bomb')?.result).toBe('ProcessingFailed');
    const payload = (id: string, index = 0) => {
      const entry = archived(byId.get(id)?.data ?? '')[index];
      return isRecord(entry) ? entry : {};
    };
    expect(payload('clean')).toMatchObject({
      payload: { Content: 'hello there' },
      moderation: { verdict: 'allow', deleted: false, redacted: false },
    });
    expect(payload('masked')).toMatchObject({
      payload: { Content: '' }, // delivered unmasked (review failed open): the re-check deleted it
      moderation: { verdict: 'mask', deleted: true, redacted: true },
    });
    expect(payload('slur')).toMatchObject({
      payload: { Content: '' },
      moderation: { verdict: 'deny', ruleIds: ['slurs'], deleted: true },
    });
    expect(payload('flood', 9)).toMatchObject({
      payload: { Content: '' },
      moderation: { deleted: true, ruleIds: ['flood'] },
    });
    expect(payload('flood', 0)).toMatchObject({
      payload: { Content: 'look 0' },
      moderation: { deleted: false },
    });
    // Enforced in the room too: the slur, the unmasked profanity and the flood's excess deleted, with warnings.
    const deletions = room.events.filter(
      (event) => event.kind === 'event' && event.eventName === 'aws:DELETE_MESSAGE',
    );
    expect(deletions).toHaveLength(4);
  });

  it('throws for what is not a Firehose batch, so Firehose retries and then keeps it as failed', async () => {
    const handler = await loadHandler();
    await expect(handler({ nope: true }, lambdaContext('moderateChatStream'))).rejects.toThrow(
      /not a Firehose transformation event/,
    );
  });
});
