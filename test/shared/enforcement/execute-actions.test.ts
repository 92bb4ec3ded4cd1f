import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEvent } from '../../../local/ivschat/chat-state.js';
import type { ActionPorts, PacedOperation } from '../../../shared/enforcement/execute-actions.js';
import { executeActions } from '../../../shared/enforcement/execute-actions.js';
import type { Clock } from '../../../shared/enforcement/pacer.js';
import { Pacer, SYSTEM_CLOCK } from '../../../shared/enforcement/pacer.js';
import type { EnforcementAction } from '../../../shared/enforcement/plan-enforcement.js';
import { createIvsChatActions } from '../../../shared/ivs/ivs-chat-client.js';
import type { EmulatedRoom } from '../../helpers/emulated-room.js';
import { memoryOnce, startEmulatedRoom, TEST_CREDENTIALS } from '../../helpers/emulated-room.js';

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
    const ivs = createIvsChatActions({ region: 'us-east-1', endpoint, credentials: CREDENTIALS });
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
  });
});

describe('the action executor with faults a real server cannot produce on demand', () => {
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

  it('retries 5xx and network failures with jittered exponential backoff up to maxAttempts, then reports', async () => {
    const clock = fakeClock();
    let calls = 0;
    const ports = deletingPorts(async () => {
      calls++;
      throw new Error('socket hang up');
    });
    const [result] = await executeActions(deletions('room', 1), {
      ...fakeDeps(ports, clock, 0.999),
      options: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    });
    expect(calls).toBe(4);
    expect(result).toMatchObject({
      status: 'failed',
      attempts: 4,
      throttles: 0,
      error: 'Error: socket hang up',
    });
    // Backoff ceilings 100, 200, then capped at 250, times the jitter.
    expect(clock.slept).toEqual([99, 199, 249]);
  });

  it('succeeds after transient failures and runs a failed action again on redelivery', async () => {
    const clock = fakeClock();
    let failuresLeft = 2;
    const ports = deletingPorts(async () => {
      if (failuresLeft-- > 0) throw new Error('503');
    });
    const deps = fakeDeps(ports, clock, 0);
    expect(await executeActions(deletions('room', 1), deps)).toMatchObject([{ status: 'done', attempts: 3 }]);
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
