import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyInProgressError } from '../../../shared/enforcement/execute-actions.js';
import { createTable } from '../../../shared/store/enforcement-table.js';
import type { IdempotentOnce } from '../../../shared/store/idempotent-once.js';
import { createIdempotentOnce, IDEMPOTENCY_TABLE } from '../../../shared/store/idempotent-once.js';
import type { LocalDynamoDb } from '../../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

/** A Lambda context whose invocation has `remainingMillis` left: how Powertools bounds IN_PROGRESS. */
function lambdaContext(remainingMillis: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ivs-chat-moderation-test-moderateChatLogs',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-test-moderateChatLogs',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/ivs-chat-moderation-test-moderateChatLogs',
    logStreamName: '2026/11/01/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => remainingMillis,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('createIdempotentOnce (Powertools idempotency against dynalite)', () => {
  let dynamodb: LocalDynamoDb;
  let tables = 0;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
  });
  afterAll(() => dynamodb.close());

  async function onceWith(remainingMillis = 60_000): Promise<{ once: IdempotentOnce; tableName: string }> {
    const tableName = `idempotency-${++tables}`;
    await createTable(dynamodb.client(), tableName, IDEMPOTENCY_TABLE);
    const once = createIdempotentOnce({ tableName, client: dynamodb.client(), expiresAfterSeconds: 3_600 });
    once.registerLambdaContext(lambdaContext(remainingMillis));
    return { once, tableName };
  }

  /** Work that counts its runs. */
  function counted() {
    const runs: string[] = [];
    return { runs, work: (label: string) => async () => void runs.push(label) };
  }

  it('runs the work the first time and reports a duplicate, without running it, after', async () => {
    const { once } = await onceWith();
    const { runs, work } = counted();

    expect(await once('delete:msg000000001', work('first'))).toEqual({ duplicate: false });
    expect(await once('delete:msg000000001', work('second'))).toEqual({ duplicate: true });
    expect(await once('delete:msg000000002', work('other key'))).toEqual({ duplicate: false });
    expect(runs).toEqual(['first', 'other key']);
  });

  it('remembers a key across instances on one table (the two consumers act once between them)', async () => {
    const { once, tableName } = await onceWith();
    const other = createIdempotentOnce({ tableName, client: dynamodb.client(), expiresAfterSeconds: 3_600 });
    other.registerLambdaContext(lambdaContext(60_000));
    const { runs, work } = counted();

    await once('warn:msg000000001', work('logs consumer'));
    expect(await other('warn:msg000000001', work('stream consumer'))).toEqual({ duplicate: true });
    expect(runs).toEqual(['logs consumer']);
  });

  it('forgets a key whose work failed, so that a redelivery runs it again', async () => {
    const { once } = await onceWith();
    const { runs, work } = counted();
    const failure = new Error('ThrottlingException');

    await expect(
      once('disconnect:mallory:msg000000001', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await once('disconnect:mallory:msg000000001', work('retry'))).toEqual({ duplicate: false });
    expect(await once('disconnect:mallory:msg000000001', work('again'))).toEqual({ duplicate: true });
    expect(runs).toEqual(['retry']);
  });

  it('runs concurrent calls for one key once, and reports the other as in progress, not done', async () => {
    const { once } = await onceWith();
    let release = () => {};
    const { runs, work } = counted();
    const first = once('delete:msg000000001', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await work('first')();
    });
    await sleep(50); // the first call has written its IN_PROGRESS record

    const second = once('delete:msg000000001', work('second'));
    await expect(second).rejects.toBeInstanceOf(KeyInProgressError);
    await expect(second).rejects.toMatchObject({ key: 'delete:msg000000001', retryable: true });

    release();
    expect(await first).toEqual({ duplicate: false });
    expect(await once('delete:msg000000001', work('redelivery'))).toEqual({ duplicate: true });
    expect(runs).toEqual(['first']);
  });

  it('many concurrent calls for one key run the work exactly once', async () => {
    const { once } = await onceWith();
    const { runs, work } = counted();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => once('sanction:mallory', work(`call ${index}`))),
    );

    expect(runs).toHaveLength(1);
    // The others saw it in progress (or, if it had finished, done): none ran it a second time.
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(KeyInProgressError);
    expect(outcomes.filter((o) => o.status === 'fulfilled' && !o.value.duplicate)).toHaveLength(1);
  });

  it('lets a later run take over a key whose run died, once that invocation would have timed out', async () => {
    const { once } = await onceWith(300);
    const { runs, work } = counted();
    // A run that never finishes: the invocation crashed or timed out with the record IN_PROGRESS.
    void once('delete:msg000000001', () => new Promise<void>(() => {}));
    await sleep(50);
    await expect(once('delete:msg000000001', work('too soon'))).rejects.toBeInstanceOf(KeyInProgressError);

    await sleep(300);
    expect(await once('delete:msg000000001', work('takeover'))).toEqual({ duplicate: false });
    expect(runs).toEqual(['takeover']);
  });

  it('stores records the way Powertools expects, expiring after expiresAfterSeconds', async () => {
    const { once, tableName } = await onceWith();
    const before = Math.floor(Date.now() / 1000);
    await once('delete:msg000000001', async () => {});

    const { Items = [] } = await dynamodb.client().send(new ScanCommand({ TableName: tableName }));
    expect(Items).toHaveLength(1);
    const [item] = Items;
    expect(item?.id?.S).toMatch(/^ivs-chat-moderation\.actions#/);
    expect(item?.status?.S).toBe('COMPLETED');
    const expiration = Number(item?.[IDEMPOTENCY_TABLE.ttlAttribute]?.N);
    expect(expiration).toBeGreaterThanOrEqual(before + 3_600);
    expect(expiration).toBeLessThanOrEqual(before + 3_602);
  });

  it('fails, rather than runs unguarded, on an empty key', async () => {
    const { once } = await onceWith();
    const { runs, work } = counted();
    await expect(once('', work('unguarded'))).rejects.toThrow();
    expect(runs).toEqual([]);
  });
});
