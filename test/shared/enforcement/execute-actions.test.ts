import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import {
  FaultPlan,
  INTERNAL_ERROR,
  THROTTLED,
  UNAVAILABLE,
} from '../../../local/ivschat/control-plane/faults.js';
import type { ActionPorts, Once, PacedOperation } from '../../../shared/enforcement/execute-actions.js';
import { executeActions } from '../../../shared/enforcement/execute-actions.js';
import type { Clock } from '../../../shared/enforcement/pacer.js';
import { Pacer, SYSTEM_CLOCK } from '../../../shared/enforcement/pacer.js';
import type { EnforcementAction } from '../../../shared/enforcement/plan-enforcement.js';
import { createIvsChatActions } from '../../../shared/ivs/ivs-chat-client.js';
import { createIdempotentOnce } from '../../../shared/store/idempotent-once.js';
import type { EmulatedRoom } from '../../helpers/emulated-room.js';
import { memoryOnce, startEmulatedRoom, TEST_CREDENTIALS } from '../../helpers/emulated-room.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

const CREDENTIALS = TEST_CREDENTIALS;

/** IVS message ids are 12 characters. */
const messageId = (index: number) => `msg${String(index).padStart(9, '0')}`;
const deletions = (roomArn: string, count: number): EnforcementAction[] =>
  Array.from({ length: count }, (_, index) => ({
    kind: 'delete-message',
    key: `delete:${messageId(index)}`,
    roomArn,
    userId: 'spammer',
    messageId: messageId(index),
    reason: 'flood',
  }));

/** A clock that only counts the time it was asked to sleep. */
const fakeClock = (): Clock & { slept: number[] } => {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (milliseconds) => {
      slept.push(milliseconds);
      now += milliseconds;
    },
  };
};

describe('the action executor against the emulator, with its quotas on', () => {
  let room: EmulatedRoom;
  let endpoint = '';
  let roomArn = '';
  let events: RoomEvent[] = [];

  beforeAll(async () => {
    // A quarter-speed clock: 25 DeleteMessage a second after the burst of 100, so however slowly a loaded
    // machine sends, 160 deletions outrun the quota and meet 429s.
    room = await startEmulatedRoom('executor', { clockRate: 0.25 });
    ({ endpoint, roomArn, events } = room);
  });
  afterAll(() => room.close());

  it('meets 429s when paced too fast (as concurrent invocations would), backs off, and loses no action', async () => {
    const ivs = createIvsChatActions({ region: 'us-east-1', endpoint, credentials: CREDENTIALS });
    const ports: ActionPorts = { ...ivs, putSanction: async () => {} };
    let throttled = 0;
    const counting: ActionPorts = {
      ...ports,
      classify: (error) => {
        const kind = ports.classify(error);
        if (kind === 'throttled') throttled++;
        return kind;
      },
    };
    // Ten times the quota: the emulator's bucket (100/s, a burst of 100) must push back.
    const pacer = new Pacer<PacedOperation>({
      DeleteMessage: 1_000,
      SendEvent: 1_000,
      DisconnectUser: 1_000,
    });
    const once = memoryOnce();
    const actions = deletions(roomArn, 160);
    const results = await executeActions(actions, {
      ports: counting,
      once,
      pacer,
      clock: SYSTEM_CLOCK,
      random: Math.random,
      options: { maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 400 },
    });

    expect(throttled).toBeGreaterThan(0);
    expect(results.every((result) => result.status === 'done')).toBe(true);
    // Every 429 was retried (all actions are done), so each is reported as a throttle, apart from 5xx retries.
    const reported = results.reduce(
      (total, result) => total + ('throttles' in result ? result.throttles : 0),
      0,
    );
    expect(reported).toBe(throttled);
    const deleted = events.flatMap((event) => (event.kind === 'event' ? [event.attributes.MessageId] : []));
    expect(new Set(deleted).size).toBe(160);
    expect(deleted).toHaveLength(160);

    // The same batch again: every action is already done, and IVS is not called.
    const again = await executeActions(actions, {
      ports: counting,
      once,
      pacer,
      clock: SYSTEM_CLOCK,
      random: Math.random,
    });
    expect(again.map((result) => result.status)).toEqual(Array(160).fill('duplicate'));
    expect(events.filter((event) => event.kind === 'event')).toHaveLength(160);
  });

  it('reports a permanent failure (a room that does not exist) without retrying it', async () => {
    // An emulator of its own, quotas on: the one above ends with its DeleteMessage bucket drained by the test
    // before (refilling at a quarter speed), and a 429 there would be retried before the room is even looked up.
    const fresh = await startEmulatedRoom('executor-permanent');
    try {
      const ivs = createIvsChatActions({
        region: 'us-east-1',
        endpoint: fresh.endpoint,
        credentials: CREDENTIALS,
      });
      const pacer = new Pacer<PacedOperation>({ DeleteMessage: 100, SendEvent: 100, DisconnectUser: 100 });
      const [result] = await executeActions(
        deletions('arn:aws:ivschat:us-east-1:123456789012:room/doesNotExist', 1),
        {
          ports: { ...ivs, putSanction: async () => {} },
          once: memoryOnce(),
          pacer,
          clock: SYSTEM_CLOCK,
          random: Math.random,
        },
      );
      expect(result).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: expect.stringContaining('ResourceNotFoundException'),
      });
    } finally {
      await fresh.close();
    }
  });
});

describe('the action executor against the emulator injecting faults', () => {
  const faults = new FaultPlan();
  let room: EmulatedRoom;

  beforeAll(async () => {
    room = await startEmulatedRoom('faulty', { faults });
  });
  afterEach(() => faults.clear());
  afterAll(() => room.close());

  const run = (
    action: EnforcementAction,
    options: {
      clock?: Clock;
      random?: number;
      once?: Once;
      idleTimeoutMs?: number;
      maxAttempts?: number;
    } = {},
  ) => {
    const clock = options.clock ?? fakeClock();
    const ivs = createIvsChatActions({
      region: 'us-east-1',
      endpoint: room.endpoint,
      credentials: CREDENTIALS,
      ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
    });
    return executeActions([action], {
      ports: { ...ivs, putSanction: async () => {} },
      once: options.once ?? memoryOnce(),
      pacer: new Pacer<PacedOperation>({ DeleteMessage: 100, SendEvent: 100, DisconnectUser: 100 }, clock),
      clock,
      random: () => options.random ?? 0,
      options: { maxAttempts: options.maxAttempts ?? 6, baseDelayMs: 100, maxDelayMs: 250 },
    });
  };
  const deletionsOf = (messageId: string) =>
    room.events.filter((event) => event.kind === 'event' && event.attributes.MessageId === messageId).length;
  const deletion = (index: number): Extract<EnforcementAction, { kind: 'delete-message' }> => ({
    kind: 'delete-message',
    key: `delete:${messageId(index)}`,
    roomArn: room.roomArn,
    userId: 'spammer',
    messageId: messageId(index),
    reason: 'flood',
  });

  it.each([
    ['500 InternalServerException', INTERNAL_ERROR, 'InternalServerException'],
    ['503', UNAVAILABLE, 'ServiceUnavailableException'],
    ['429 ThrottlingException', THROTTLED, 'ThrottlingException'],
  ])(
    'retries %s with jittered exponential backoff up to maxAttempts, then reports it failed',
    async (_case, fault, name) => {
      const clock = fakeClock();
      const action = deletion(1);
      const servedBefore = faults.served('DeleteMessage');
      faults.inject('DeleteMessage', fault);
      const [result] = await run(action, { clock, random: 0.999, maxAttempts: 4 });
      expect(faults.served('DeleteMessage') - servedBefore).toBe(4);
      // Three retries, of 429s or not: a last attempt that fails is no retry.
      expect(result).toMatchObject({
        status: 'failed',
        attempts: 4,
        throttles: fault === THROTTLED ? 3 : 0,
        error: expect.stringMatching(`^${name}: `),
      });
      // Backoff ceilings 100, 200, then capped at 250, times the jitter.
      expect(clock.slept).toEqual([99, 199, 249]);
      expect(deletionsOf(action.messageId)).toBe(0);
    },
  );

  it('succeeds after transient failures, acting once', async () => {
    const action = deletion(2);
    faults.inject('DeleteMessage', UNAVAILABLE, 2);
    expect(await run(action)).toMatchObject([{ status: 'done', attempts: 3 }]);
    expect(deletionsOf(action.messageId)).toBe(1);
  });

  it('retries a dropped connection (no answer at all) as transient', async () => {
    const action = deletion(3);
    faults.inject('DeleteMessage', { kind: 'drop' }, 1);
    expect(await run(action)).toMatchObject([{ status: 'done', attempts: 2 }]);
    expect(deletionsOf(action.messageId)).toBe(1);
  });

  it('abandons a call IVS does not answer within the idle timeout and retries it: at least once, since IVS may have carried out both', async () => {
    const action = deletion(4);
    faults.inject('DeleteMessage', { kind: 'delay', ms: 1_000 }, 1);
    expect(await run(action, { idleTimeoutMs: 200 })).toMatchObject([{ status: 'done', attempts: 2 }]);
    // The slow call was carried out when its answer was ready, after the retry's.
    await vi.waitFor(() => expect(deletionsOf(action.messageId)).toBe(2));
  });

  it('reports an action failed, without calling IVS, when the idempotency table cannot be reached', async () => {
    const dynamoDb = await startLocalDynamoDb();
    await dynamoDb.close();
    const client = new DynamoDBClient({
      endpoint: dynamoDb.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const action = deletion(5);
    try {
      const once = createIdempotentOnce({ tableName: 'idempotency', client, expiresAfterSeconds: 60 });
      expect(await run(action, { once })).toMatchObject([
        {
          status: 'failed',
          error: expect.stringMatching(
            /^IdempotencyPersistenceLayerError: Failed to save in progress record to idempotency store \(.*ECONNREFUSED/,
          ),
        },
      ]);
      expect(deletionsOf(action.messageId)).toBe(0);
    } finally {
      client.destroy();
    }
  });
});

describe('the action executor’s retry accounting and pacing, on a fake clock', () => {
  /** Ports whose DeleteMessage is `deleteMessage`; every other call succeeds. */
  const deletingPorts = (
    deleteMessage: ActionPorts['deleteMessage'],
    classify: ActionPorts['classify'] = () => 'transient',
  ): ActionPorts => ({
    deleteMessage,
    sendEvent: async () => {},
    disconnectUser: async () => {},
    putSanction: async () => {},
    classify,
  });
  /** The executor's dependencies on a fake clock, at a pace that never waits. */
  const fakeDeps = (ports: ActionPorts, clock: ReturnType<typeof fakeClock>, random: number) => ({
    ports,
    once: memoryOnce(),
    pacer: new Pacer<PacedOperation>({ DeleteMessage: 100, SendEvent: 100, DisconnectUser: 100 }, clock),
    clock,
    random: () => random,
  });

  it('reports the 429s it retried apart from other retries; a last 429 that ends the attempts is no retry', async () => {
    const clock = fakeClock();
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const answers: (Error | undefined)[] = [throttling, new Error('503'), throttling, undefined];
    const ports = deletingPorts(
      async () => {
        const answer = answers.shift();
        if (answer !== undefined) throw answer;
      },
      (error) => (error instanceof Error && error.name === 'ThrottlingException' ? 'throttled' : 'transient'),
    );
    const deps = {
      ...fakeDeps(ports, clock, 0.5),
      options: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    };
    expect(await executeActions(deletions('room', 1), deps)).toMatchObject([
      { status: 'done', attempts: 4, throttles: 2 },
    ]);
    // The same backoff as for any retry.
    expect(clock.slept).toEqual([50, 100, 200]);

    answers.push(throttling, throttling);
    const exhausted = await executeActions(deletions('room', 1), {
      ...deps,
      once: memoryOnce(),
      options: { ...deps.options, maxAttempts: 2 },
    });
    expect(exhausted).toMatchObject([
      { status: 'failed', attempts: 2, throttles: 1, error: 'ThrottlingException: Rate exceeded' },
    ]);
  });

  it('paces each operation at its rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer<PacedOperation>(
      { DeleteMessage: 10, SendEvent: 100, DisconnectUser: 100 },
      clock,
    );
    for (let index = 0; index < 30; index++) await pacer.acquire('DeleteMessage');
    // A burst of 10, then one every 100 ms: 20 more calls take 2 s.
    expect(clock.now()).toBe(2_000);
  });
});
