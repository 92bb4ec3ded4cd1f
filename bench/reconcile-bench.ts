import { ChatState } from '../local/ivschat/chat-state.js';
import { startControlPlane } from '../local/ivschat/control-plane.js';
import { DRIFTED_FLEET_MANIFEST, populateDriftedFleet } from '../local/ivschat/drifted-fleet.js';
import type { Clock } from '../shared/enforcement/pacer.js';
import { Pacer } from '../shared/enforcement/pacer.js';
import { createIvsChatFleet } from '../shared/ivs/ivs-chat-client.js';
import type { FleetOperation, ReconcileReport } from '../shared/rooms/reconcile-fleet.js';
import { FLEET_OPERATIONS, FLEET_QUOTAS, reconcileFleet } from '../shared/rooms/reconcile-fleet.js';
import { memoryRoomStateStore } from '../shared/rooms/room-state.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../shared/rooms/validate-room-manifest.js';

/**
 * A reconciliation of a large drifted fleet against the emulator with its quotas on. Time is compressed:
 * the emulator's clock and the reconciler's run `speed` times faster than the real one, so the quotas
 * hold in their time while a run of half an hour takes about a minute; all times reported are theirs.
 */

const REVIEW_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-bench-reviewMessage';

export interface ReconcileMeasurement {
  readonly rooms: number;
  readonly speed: number;
  /** Calls that succeeded, by operation (429s retried are counted apart). */
  readonly calls: Readonly<Record<FleetOperation, number>>;
  readonly throttled: number;
  /** What converging this fleet needs at the least, from the fleet as generated. */
  readonly minimum: Readonly<Record<FleetOperation, number>>;
  readonly seconds: number;
  /** Each operation's minimum calls at its own quota, the slowest setting the pace. */
  readonly quotaBoundSeconds: number;
  readonly changes: number;
  readonly failed: number;
  /** The run after: what an in-sync fleet costs. */
  readonly secondRun: { readonly calls: Readonly<Record<FleetOperation, number>>; readonly seconds: number };
}

export async function measureReconciliation(rooms: number, speed: number): Promise<ReconcileMeasurement> {
  const startedAt = Date.now();
  const clock: Clock = {
    now: () => startedAt + (Date.now() - startedAt) * speed,
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds / speed)),
  };
  const state = new ChatState(undefined, undefined, () => new Date(clock.now()));
  populateDriftedFleet(state, rooms, REVIEW_ARN);
  const minimum = minimumCalls(state, rooms);
  const server = await startControlPlane(state, { enforceQuotas: true });
  const store = memoryRoomStateStore();
  const run = async () => {
    const began = clock.now();
    const report = await reconcileFleet(
      {
        manifest: DRIFTED_FLEET_MANIFEST,
        stage: {
          reviewFunctionArn: REVIEW_ARN,
          logGroupName: '/ivs-chat-moderation/bench/chat',
          ownerTag: { key: OWNER_TAG_KEY, value: 'ivs-chat-moderation-bench' },
          policyTagKey: POLICY_TAG_KEY,
        },
        apply: true,
        force: false,
      },
      {
        ports: createIvsChatFleet({
          region: 'us-east-1',
          endpoint: server.url,
          credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        }),
        store,
        pacer: new Pacer<FleetOperation>(FLEET_QUOTAS, clock),
        clock,
        random: Math.random,
      },
    );
    return { report, seconds: (clock.now() - began) / 1000 };
  };
  try {
    const first = await run();
    const second = await run();
    return {
      rooms,
      speed,
      calls: succeeded(first.report),
      throttled: first.report.throttled,
      minimum,
      seconds: first.seconds,
      quotaBoundSeconds: Math.max(
        ...FLEET_OPERATIONS.map((operation) => minimum[operation] / FLEET_QUOTAS[operation]),
      ),
      changes: first.report.changes.length,
      failed: first.report.failed.length,
      secondRun: { calls: succeeded(second.report), seconds: second.seconds },
    };
  } finally {
    await server.close();
  }
}

function succeeded(report: ReconcileReport): Record<FleetOperation, number> {
  const calls = { ...report.calls };
  for (const operation of FLEET_OPERATIONS) calls[operation] -= report.throttledBy[operation];
  return calls;
}

/**
 * The least any reconciler could do for this fleet, read off the rooms as generated: every listing page;
 * one GetRoom per selected room whose limits the manifest sets (a summary does not show them); one call
 * per room and kind of change it needs (UpdateRoom for handler, limits and logging together); one
 * logging configuration to create.
 */
function minimumCalls(state: ChatState, rooms: number): Record<FleetOperation, number> {
  const minimum: Record<FleetOperation, number> = {
    ListRooms: Math.ceil(rooms / 50),
    GetRoom: 0,
    UpdateRoom: 0,
    TagResource: 0,
    UntagResource: 0,
    ListLoggingConfigurations: 1,
    CreateLoggingConfiguration: 1,
    UpdateLoggingConfiguration: 0,
    DeleteLoggingConfiguration: 0,
  };
  for (const room of state.rooms.values()) {
    if (!room.name?.startsWith('game-')) continue;
    const kids = room.tags.audience === 'kids';
    if (kids) minimum.GetRoom++;
    // No room has the stage's logging configuration yet: every selected room needs an UpdateRoom.
    minimum.UpdateRoom++;
    if (room.tags.moderated !== 'yes' || kids) minimum.TagResource++;
    if (kids && room.tags.legacy !== undefined) minimum.UntagResource++;
  }
  return minimum;
}
