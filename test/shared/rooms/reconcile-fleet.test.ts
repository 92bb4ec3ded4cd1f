import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatState, type Room } from '../../../local/ivschat/chat-state.js';
import { FaultPlan, INTERNAL_ERROR, UNAVAILABLE } from '../../../local/ivschat/control-plane/faults.js';
import { startControlPlane } from '../../../local/ivschat/control-plane.js';
import { DRIFTED_FLEET_MANIFEST, populateDriftedFleet } from '../../../local/ivschat/drifted-fleet.js';
import type { Clock } from '../../../shared/enforcement/pacer.js';
import { Pacer } from '../../../shared/enforcement/pacer.js';
import { createIvsChatFleet } from '../../../shared/ivs/ivs-chat-client.js';
import type { FleetOperation, ReconcileReport } from '../../../shared/rooms/reconcile-fleet.js';
import { FLEET_OPERATIONS, FLEET_QUOTAS, reconcileFleet } from '../../../shared/rooms/reconcile-fleet.js';
import type { RoomManifest, StageTargets } from '../../../shared/rooms/room-manifest.js';
import type { RoomStateStore } from '../../../shared/rooms/room-state.js';
import { memoryRoomStateStore } from '../../../shared/rooms/room-state.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../../../shared/rooms/validate-room-manifest.js';
import { createDynamoDbRoomStateStore } from '../../../shared/store/dynamodb-room-state-store.js';
import { createTable, ENFORCEMENT_TABLE } from '../../../shared/store/enforcement-table.js';
import { startDynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import { TEST_CREDENTIALS } from '../../helpers/emulated-room.js';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb.js';

/**
 * The reconciler against the emulator's control plane with its quotas on, through the real SDK. Time is
 * compressed: the emulator's clock and the reconciler's both run SPEED times faster than the real one, so
 * quota-bound minutes take seconds while every rate (5 TPS for rooms, 10 for tags) holds in their time.
 */
const SPEED = 40;
/**
 * The 2,000-room run's speed: its deadline (890 s) is then 44 s of real time, twice what the quota-bound run
 * needs, so a CI machine busy with other test files still finishes within it (at 40× it had 22 s and missed).
 */
const FLEET_SPEED = 20;

function compressedClock(startedAt: number, speed = SPEED): Clock {
  return {
    now: () => startedAt + (Date.now() - startedAt) * speed,
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds / speed)),
  };
}

const REVIEW_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-test-reviewMessage';
const STAGE: StageTargets = {
  reviewFunctionArn: REVIEW_ARN,
  logGroupName: '/ivs-chat-moderation/test/chat',
  ownerTag: { key: OWNER_TAG_KEY, value: 'ivs-chat-moderation-test' },
  policyTagKey: POLICY_TAG_KEY,
};

const MANIFEST = DRIFTED_FLEET_MANIFEST;

function snapshot(rooms: Iterable<Room>): string {
  return JSON.stringify([...rooms].map((room) => ({ ...room })));
}

const writes = (report: ReconcileReport) =>
  report.calls.UpdateRoom +
  report.calls.TagResource +
  report.calls.UntagResource +
  report.calls.CreateLoggingConfiguration +
  report.calls.UpdateLoggingConfiguration +
  report.calls.DeleteLoggingConfiguration;

describe('reconciling 2,000 rooms against the emulator with its quotas on', () => {
  let state: ChatState;
  let close: () => Promise<void>;
  let endpoint: string;
  let clock: Clock;
  let store: RoomStateStore;

  beforeAll(async () => {
    const startedAt = Date.now();
    clock = compressedClock(startedAt, FLEET_SPEED);
    state = new ChatState(undefined, undefined, () => new Date(clock.now()));
    populateDriftedFleet(state, 2_000, REVIEW_ARN);
    const server = await startControlPlane(state, { enforceQuotas: true });
    endpoint = server.url;
    close = server.close;
    store = memoryRoomStateStore();
  });
  afterAll(() => close());

  const run = (apply: boolean, manifest: RoomManifest = MANIFEST, extra: { deadline?: number } = {}) =>
    reconcileFleet(
      { manifest, stage: STAGE, apply, force: false, ...extra },
      {
        ports: createIvsChatFleet({ region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS }),
        store,
        pacer: new Pacer<FleetOperation>(FLEET_QUOTAS, clock),
        clock,
        random: Math.random,
      },
    );

  it('converges in one run, paced so that no throttling reaches the caller, touching nothing outside the selectors', async () => {
    const outsideBefore = snapshot(
      [...state.rooms.values()].filter((room) => room.name?.startsWith('other-')),
    );
    const startedAt = clock.now();

    // One scheduled run: the function's 900 s timeout, less the margin the handler keeps.
    const report = await run(true, MANIFEST, { deadline: startedAt + 890_000 });

    expect(report.failed).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.overBudget).toBe(false);
    expect(report.stoppedEarly).toBe(false);
    expect(report.rooms).toMatchObject({ listed: 2_000, selected: 1_800, deferred: 0 });
    expect(report.applied).toBe(report.changes.length);
    // Limits are read only where the manifest sets them: the 400 kids' rooms among the 1,800. (Compressed time
    // makes a few milliseconds of network jitter look like bursts to the emulator: its 429s are retried.)
    expect(report.calls.GetRoom - report.throttledBy.GetRoom).toBe(400);
    expect(report.calls.ListRooms - report.throttledBy.ListRooms).toBe(40);

    const logging = [...state.loggingConfigurations.values()];
    expect(logging).toHaveLength(1);
    expect(logging[0]).toMatchObject({
      name: 'moderation-chat-logs',
      destinationConfiguration: { cloudWatchLogs: { logGroupName: STAGE.logGroupName } },
      tags: { [OWNER_TAG_KEY]: 'ivs-chat-moderation-test' },
    });
    const loggingArn = logging[0]?.arn;
    for (const room of state.rooms.values()) {
      if (room.name?.startsWith('other-')) continue;
      const kids = room.tags.audience === 'kids';
      expect(room.messageReviewHandler).toEqual({ uri: REVIEW_ARN, fallbackResult: 'ALLOW' });
      expect(room.loggingConfigurationIdentifiers).toEqual([loggingArn]);
      expect(room.tags.moderated).toBe('yes');
      if (kids) {
        expect(room.tags.legacy).toBeUndefined();
        expect(room).toMatchObject({ maximumMessageLength: 200, maximumMessageRatePerSecond: 5 });
        expect(room.tags[POLICY_TAG_KEY]).toBe('strict');
      }
    }
    expect(snapshot([...state.rooms.values()].filter((room) => room.name?.startsWith('other-')))).toBe(
      outsideBefore,
    );
    const published = await store.readAll();
    expect([...published.values()].filter((room) => room.policy === 'strict')).toHaveLength(400);

    // The quota-bound floor: each operation's calls at its rate, the slowest one setting the pace.
    const floorSeconds = Math.max(
      ...FLEET_OPERATIONS.map(
        (operation) => (report.calls[operation] - report.throttledBy[operation]) / FLEET_QUOTAS[operation],
      ),
    );
    const tookSeconds = (clock.now() - startedAt) / 1000;
    expect(tookSeconds).toBeGreaterThanOrEqual(floorSeconds * 0.9);
  }, 120_000);

  it('makes no write call and reads no room twice on a second run over the converged fleet', async () => {
    const report = await run(true);
    expect(report.changes).toEqual([]);
    expect(writes(report)).toBe(0);
    expect(report.calls.GetRoom).toBe(0);
    expect(report.rooms).toMatchObject({ selected: 1_800, inSync: 1_800, drifted: 0 });
  }, 60_000);
});

describe('the reconciler’s safety rails, on a small fleet', () => {
  async function emulator(rooms: number, faults?: FaultPlan, store: RoomStateStore = memoryRoomStateStore()) {
    const clock = compressedClock(Date.now());
    const state = new ChatState(undefined, undefined, () => new Date(clock.now()));
    populateDriftedFleet(state, rooms, REVIEW_ARN);
    const server = await startControlPlane(state, { enforceQuotas: true, ...(faults && { faults }) });
    const run = (
      request: { apply?: boolean; force?: boolean; deadline?: number; manifest?: RoomManifest },
      rates: Readonly<Record<FleetOperation, number>> = FLEET_QUOTAS,
    ) =>
      reconcileFleet(
        {
          manifest: request.manifest ?? MANIFEST,
          stage: STAGE,
          apply: request.apply ?? true,
          force: request.force ?? false,
          ...(request.deadline !== undefined && { deadline: request.deadline }),
        },
        {
          ports: createIvsChatFleet({
            region: 'us-east-1',
            endpoint: server.url,
            credentials: TEST_CREDENTIALS,
          }),
          store,
          pacer: new Pacer<FleetOperation>(rates, clock),
          clock,
          random: Math.random,
        },
      );
    return { state, clock, store, run, close: server.close };
  }

  it('plans without changing anything in a dry run', async () => {
    const fleet = await emulator(40);
    try {
      const before = snapshot(fleet.state.rooms.values());
      const report = await fleet.run({ apply: false });
      expect(report.changes.length).toBeGreaterThan(0);
      expect(writes(report)).toBe(0);
      expect(report.applied).toBe(0);
      expect(snapshot(fleet.state.rooms.values())).toBe(before);
      expect(fleet.state.loggingConfigurations.size).toBe(0);
    } finally {
      await fleet.close();
    }
  });

  it('applies nothing when the plan is over the change budget, and all of it when forced', async () => {
    const fleet = await emulator(40);
    try {
      const before = snapshot(fleet.state.rooms.values());
      const small = { ...MANIFEST, changeBudget: 5 };
      const refused = await fleet.run({ manifest: small });
      expect(refused.overBudget).toBe(true);
      expect(refused.changes.length).toBeGreaterThan(5);
      expect(writes(refused)).toBe(0);
      expect(snapshot(fleet.state.rooms.values())).toBe(before);

      const forced = await fleet.run({ manifest: small, force: true });
      expect(forced.overBudget).toBe(false);
      expect(forced.failed).toEqual([]);
      expect(forced.applied).toBe(forced.changes.length);
      expect((await fleet.run({ manifest: small })).changes).toEqual([]);
    } finally {
      await fleet.close();
    }
  });

  it('stops between rooms near its deadline, and the next run finishes the job', async () => {
    const fleet = await emulator(200);
    try {
      // 40 emulated seconds: the listing and limit reads fit, not the 180 room updates at 5 a second.
      const first = await fleet.run({ deadline: fleet.clock.now() + 40_000 });
      expect(first.stoppedEarly).toBe(true);
      expect(first.rooms.deferred).toBeGreaterThan(0);
      expect(first.failed).toEqual([]);
      expect(first.applied).toBeLessThan(first.changes.length);

      const second = await fleet.run({});
      expect(second.stoppedEarly).toBe(false);
      expect(second.failed).toEqual([]);
      expect(second.applied).toBe(second.changes.length);
      expect((await fleet.run({})).changes).toEqual([]);
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('retries the throttling that other callers of the account cause, and loses no change', async () => {
    const fleet = await emulator(60);
    try {
      // Paced at three times the quota, as if two other callers shared it: the emulator answers 429s.
      const greedy = Object.fromEntries(
        FLEET_OPERATIONS.map((operation) => [operation, FLEET_QUOTAS[operation] * 3]),
      );
      const rates: Record<FleetOperation, number> = { ...FLEET_QUOTAS, ...greedy };
      const report = await fleet.run({}, rates);
      expect(report.throttled).toBeGreaterThan(0);
      expect(report.failed).toEqual([]);
      expect(report.applied).toBe(report.changes.length);
      expect((await fleet.run({})).changes).toEqual([]);
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('retries IVS server errors, dropped connections and slow answers, and loses no change', async () => {
    const faults = new FaultPlan()
      .inject('UpdateRoom', INTERNAL_ERROR, 4)
      .inject('TagResource', UNAVAILABLE, 3)
      .inject('ListRooms', { kind: 'drop' }, 1)
      .inject('CreateLoggingConfiguration', { kind: 'delay', ms: 300 }, 1);
    const fleet = await emulator(30, faults);
    try {
      const report = await fleet.run({});
      expect(report.failed).toEqual([]);
      expect(report.applied).toBe(report.changes.length);
      const served = (['UpdateRoom', 'TagResource', 'ListRooms'] as const).map((name) => faults.served(name));
      expect(served).toEqual([4, 3, 1]);
      expect((await fleet.run({})).changes).toEqual([]);
    } finally {
      await fleet.close();
    }
  });

  it('reports the changes IVS keeps failing, applies the rest, and the next run finishes the job', async () => {
    const faults = new FaultPlan().inject('TagResource', INTERNAL_ERROR);
    const fleet = await emulator(30, faults);
    try {
      const first = await fleet.run({});
      const tagChanges = first.changes.filter((change) => change.kind === 'tag-room');
      expect(tagChanges.length).toBeGreaterThan(0);
      // In whatever order the concurrent rooms finished.
      expect(first.failed).toHaveLength(tagChanges.length);
      expect(first.failed).toEqual(
        expect.arrayContaining(
          tagChanges.map((change) => ({
            change,
            error:
              'RetriesExhaustedError: InternalServerException: Injected fault: InternalServerException for TagResource',
          })),
        ),
      );
      expect(first.applied).toBe(first.changes.length - tagChanges.length);
      // Each failed change was tried as often as the retry policy allows (8 attempts).
      expect(faults.served('TagResource')).toBe(tagChanges.length * 8);

      faults.clear();
      const second = await fleet.run({});
      expect(second.changes).toHaveLength(tagChanges.length);
      expect(second.changes).toEqual(expect.arrayContaining(tagChanges));
      expect(second.failed).toEqual([]);
      expect((await fleet.run({})).changes).toEqual([]);
    } finally {
      await fleet.close();
    }
  }, 60_000);

  it('stops before changing anything when the room state table cannot be read, so the next run starts clean', async () => {
    const dynamoDb = await startLocalDynamoDb();
    const client = dynamoDb.client();
    await dynamoDb.close();
    const store = createDynamoDbRoomStateStore({
      client: DynamoDBDocumentClient.from(client),
      tableName: 'enforcement',
    });
    const fleet = await emulator(20, undefined, store);
    try {
      const before = snapshot(fleet.state.rooms.values());
      await expect(fleet.run({})).rejects.toThrow(/ECONNREFUSED/);
      expect(snapshot(fleet.state.rooms.values())).toBe(before);
      expect(fleet.state.loggingConfigurations.size).toBe(0);
    } finally {
      await fleet.close();
      client.destroy();
    }
  });

  it('converges the rooms while the room state table refuses writes: assignments fail, limits go unrecorded, the next run publishes them', async () => {
    const dynamoDb = await startLocalDynamoDb();
    await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
    const dynamoDbFaults = await startDynamoDbFaults(dynamoDb.endpoint);
    for (const operation of ['PutItem', 'DeleteItem'])
      dynamoDbFaults.inject({ operation, table: 'enforcement' }, { kind: 'server-error' });
    const client = new DynamoDBClient({
      endpoint: dynamoDbFaults.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const store = createDynamoDbRoomStateStore({
      client: DynamoDBDocumentClient.from(client),
      tableName: 'enforcement',
    });
    const fleet = await emulator(20, undefined, store);
    try {
      const first = await fleet.run({});
      const assignments = first.changes.filter((change) => change.kind === 'assign-policy');
      expect(assignments.length).toBeGreaterThan(0);
      expect(first.failed.map((failure) => failure.change)).toHaveLength(assignments.length);
      expect(first.failed).toEqual(
        expect.arrayContaining(
          assignments.map((change) => ({ change, error: expect.stringMatching(/^InternalServerError: /) })),
        ),
      );
      expect(first.applied).toBe(first.changes.length - assignments.length);
      // Limits read (the kids' rooms) or returned by UpdateRoom were used, only not recorded.
      const kidsRooms = new Set(assignments.map((change) => change.roomArn));
      for (const problem of first.problems)
        expect(problem.message).toMatch(/^limits not recorded: InternalServerError: /);
      for (const roomArn of kidsRooms)
        expect(first.problems.map((problem) => problem.roomArn)).toContain(roomArn);
      for (const room of fleet.state.rooms.values()) {
        if (room.name?.startsWith('game-')) expect(room.messageReviewHandler?.uri).toBe(REVIEW_ARN);
        if (kidsRooms.has(room.arn)) expect(room.maximumMessageLength).toBe(200);
      }

      dynamoDbFaults.clear();
      const second = await fleet.run({});
      expect(second.failed).toEqual([]);
      expect(second.problems).toEqual([]);
      expect(second.changes).toHaveLength(assignments.length);
      expect(second.changes).toEqual(expect.arrayContaining(assignments));
      expect((await fleet.run({})).changes).toEqual([]);
    } finally {
      await fleet.close();
      client.destroy();
      await dynamoDbFaults.close();
      await dynamoDb.close();
    }
  }, 60_000);

  it('never updates or deletes a logging configuration it does not own; deletes its own marked for removal, detached first', async () => {
    const fleet = await emulator(20);
    try {
      const foreign = fleet.state.loggingConfigurations;
      const arn = fleet.state.arn('logging-configuration', 'foreign000001');
      foreign.set(arn, {
        arn,
        id: 'foreign000001',
        name: 'moderation-chat-logs',
        createTime: new Date(),
        updateTime: new Date(),
        destinationConfiguration: { s3: { bucketName: 'someone-elses-bucket' } },
        state: 'ACTIVE',
        tags: {},
      });
      const oldArn = fleet.state.arn('logging-configuration', 'oldlogs00001');
      foreign.set(oldArn, {
        arn: oldArn,
        id: 'oldlogs00001',
        name: 'moderation-chat-logs-old',
        createTime: new Date(),
        updateTime: new Date(),
        destinationConfiguration: { cloudWatchLogs: { logGroupName: '/old' } },
        state: 'ACTIVE',
        tags: { [OWNER_TAG_KEY]: 'ivs-chat-moderation-test' },
      });
      const attached = [...fleet.state.rooms.values()]
        .filter((room) => room.name?.startsWith('game-'))
        .slice(0, 3);
      for (const room of attached) room.loggingConfigurationIdentifiers = [oldArn];
      const removing: RoomManifest = {
        ...MANIFEST,
        loggingConfigurations: [
          ...MANIFEST.loggingConfigurations,
          { name: 'moderation-chat-logs-old', destination: { stage: 'log-group' }, remove: true },
        ],
      };
      const report = await fleet.run({ manifest: removing });
      expect(report.failed).toEqual([]);
      expect(foreign.get(arn)).toMatchObject({
        destinationConfiguration: { s3: { bucketName: 'someone-elses-bucket' } },
      });
      expect(foreign.has(oldArn)).toBe(false);
      for (const room of attached) expect(room.loggingConfigurationIdentifiers).not.toContain(oldArn);
      const ours = [...foreign.values()].filter((configuration) => configuration.arn !== arn);
      expect(ours).toHaveLength(1);
      expect(ours[0]?.name).toBe('moderation-chat-logs');
      expect(ours[0]?.tags).toEqual({ [OWNER_TAG_KEY]: 'ivs-chat-moderation-test' });
    } finally {
      await fleet.close();
    }
  });
});
