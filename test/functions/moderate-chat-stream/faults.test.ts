import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import type { FaultPlan } from '../../../local/ivschat/control-plane/faults.js';
import { INTERNAL_ERROR } from '../../../local/ivschat/control-plane/faults.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { isRecord } from '../../../shared/guards.js';
import { chatLogLine } from '../../helpers/chat-log-lines.js';
import type { DynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';

/**
 * functions/moderate-chat-stream when IVS or DynamoDB fail. Firehose invokes it synchronously and, on an
 * error, retries the whole batch (then files it under processing-failed/: Firehose's side, not testable
 * here). What is ours: an invocation whose enforcement failed throws rather than answer part of the batch,
 * and the retry answers every record by its id and finishes the enforcement, acting once.
 */

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../functions/moderate-chat-stream/handler.js')).handler;
}

let sequence = 0;
function batch(userId: string) {
  const lines = [
    chatLogLine(userId, new Date(Date.now() - 20_000), 'hello there', { role: 'viewer' }),
    chatLogLine(userId, new Date(Date.now() - 19_000), 'you faggot', { role: 'viewer' }),
  ];
  const slurId = (() => {
    const parsed: unknown = JSON.parse(lines[1] ?? '');
    return isRecord(parsed) && isRecord(parsed.payload) ? String(parsed.payload.Id) : '';
  })();
  sequence++;
  return {
    slurId,
    event: {
      invocationId: `invocation-${sequence}`,
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/chat',
      region: 'us-east-1',
      records: lines.map((line, index) => ({
        recordId: `record-${index}`,
        approximateArrivalTimestamp: Date.now(),
        data: Buffer.from(`${line}\n`).toString('base64'),
      })),
    },
  };
}

/** The archive's copy of a record's one line. */
function archivedLine(data: string): unknown {
  return JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
}

describe('functions/moderate-chat-stream under IVS and DynamoDB faults', () => {
  let backends: FaultyBackends;
  let ivsFaults: FaultPlan;
  let dynamoDbFaults: DynamoDbFaults;
  let events: readonly RoomEvent[] = [];
  let roomArn = '';

  const deletionsOf = (messageId: string) => backends.deletedIds().filter((id) => id === messageId).length;
  const warningsOf = (userId: string) => backends.warningsTo(userId);
  const transform = async (event: unknown) =>
    (await loadHandler())(event, lambdaContext('moderateChatStream', 120_000));
  /** The retried batch: every record back by its id, the slur redacted as deleted. */
  const expectAnsweredWhole = (result: Awaited<ReturnType<typeof transform>>) => {
    expect(result.records.map((record) => [record.recordId, record.result])).toEqual([
      ['record-0', 'Ok'],
      ['record-1', 'Ok'],
    ]);
    expect(archivedLine(result.records[1]?.data ?? '')).toMatchObject({
      payload: { Content: '' },
      moderation: { verdict: 'deny', deleted: true, redacted: true },
    });
  };

  beforeAll(async () => {
    backends = await startFaultyBackends({ enforceQuotas: true });
    ({ ivsFaults, dynamoDbFaults, events } = backends);
    roomArn = backends.state.putRoom('streamFaults').arn;
    vi.stubEnv('FIREHOSE_ROOM_ARN', roomArn);
  });
  afterEach(() => backends.heal());
  afterAll(() => backends.close());

  it('IVS failing past the retries: the invocation throws, and the retried batch is answered whole and the deletion done once', async () => {
    const { event, slurId } = batch('stream-troll');
    ivsFaults.inject('DeleteMessage', INTERNAL_ERROR);
    await expect(transform(event)).rejects.toThrow(
      '1 enforcement action(s) failed; the batch will be retried',
    );
    expect(ivsFaults.served('DeleteMessage')).toBe(6);
    expect(deletionsOf(slurId)).toBe(0);
    expect(warningsOf('stream-troll')).toBe(1);

    ivsFaults.clear();
    expectAnsweredWhole(await transform(event));
    expect(deletionsOf(slurId)).toBe(1);
    expect(warningsOf('stream-troll')).toBe(1);
  });

  it('DynamoDB down: the invocation throws before acting, and the retried batch is answered whole, acting once', async () => {
    const { event, slurId } = batch('store-troll');
    const before = events.length;
    await dynamoDbFaults.down();
    await expect(transform(event)).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toHaveLength(before);

    await dynamoDbFaults.up();
    expectAnsweredWhole(await transform(event));
    expect(deletionsOf(slurId)).toBe(1);
    expect(warningsOf('store-troll')).toBe(1);
  });

  it('a stream of no known room needs neither DynamoDB nor IVS: archived and redacted with DynamoDB down', async () => {
    vi.stubEnv('FIREHOSE_ROOM_ARN', '');
    try {
      const { event, slurId } = batch('roomless');
      const before = events.length;
      await dynamoDbFaults.down();
      const result = await transform(event);
      expect(result.records.map((record) => record.result)).toEqual(['Ok', 'Ok']);
      expect(archivedLine(result.records[1]?.data ?? '')).toMatchObject({
        payload: { Id: slurId, Content: '' },
        moderation: { verdict: 'deny', deleted: false, redacted: true },
      });
      expect(events).toHaveLength(before);
    } finally {
      vi.stubEnv('FIREHOSE_ROOM_ARN', roomArn);
    }
  });
});
