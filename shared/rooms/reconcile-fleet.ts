import type { BackoffOptions } from '../enforcement/backoff.js';
import { describeError, retryWithBackoff } from '../enforcement/backoff.js';
import type { Clock, Pacer } from '../enforcement/pacer.js';
import { planLoggingConfigurations, planRoom } from './plan-reconciliation.js';
import { needsLimits, resolveDesiredRoom } from './resolve-desired-room.js';
import type {
  Change,
  DesiredRoom,
  LoggingDestination,
  ObservedLoggingConfiguration,
  ObservedRoom,
  RoomManifest,
  RoomProblem,
  StageTargets,
  Tags,
} from './room-manifest.js';
import type { KnownRoomState, RoomStateStore } from './room-state.js';

/**
 * One reconciliation run: read the fleet, plan, and (with `apply`) converge it, paced under IVS's
 * per-operation quotas and within the run's deadline.
 *
 * - Reads: every page of ListRooms (summaries carry tags, handler and logging configurations) and of
 *   ListLoggingConfigurations; GetRoom only for a room whose manifest entry sets message limits and whose
 *   limits the room state store does not hold for its current updateTime.
 * - The listing is always read whole (10,000 rooms are 200 pages, 40 s at 5 TPS): ListRooms orders by
 *   updateTime, and the rooms a run changes move to the front, so a run that stopped part way through
 *   the listing would read the same rooms again next time and never reach the rest.
 * - GetRoom reads stop when the run has used its read share of the time; the rooms not read are planned
 *   by the next run, which reads them first because those read now are in the store.
 * - The change budget: a plan of more changes than `manifest.changeBudget` applies none of them unless
 *   `force` (a selector that suddenly matches the whole fleet is more likely a mistake than a wish).
 * - Apply order: logging configurations created or updated first (rooms name them), then rooms, each
 *   room's calls in order, rooms concurrently (the pacer keeps each operation at its rate), then the
 *   logging configurations marked for removal, once no selected room uses them. A run near its deadline
 *   stops between rooms; the next run plans what is left.
 */

export const FLEET_OPERATIONS = [
  'ListRooms',
  'GetRoom',
  'UpdateRoom',
  'TagResource',
  'UntagResource',
  'ListLoggingConfigurations',
  'CreateLoggingConfiguration',
  'UpdateLoggingConfiguration',
  'DeleteLoggingConfiguration',
] as const;
export type FleetOperation = (typeof FLEET_OPERATIONS)[number];

/** IVS Chat's rate quotas (per account and Region, not adjustable): ../shared/reference/ivschat-contracts.md §5. */
export const FLEET_QUOTAS: Readonly<Record<FleetOperation, number>> = {
  ListRooms: 5,
  GetRoom: 5,
  UpdateRoom: 5,
  TagResource: 10,
  UntagResource: 10,
  ListLoggingConfigurations: 3,
  CreateLoggingConfiguration: 3,
  UpdateLoggingConfiguration: 3,
  DeleteLoggingConfiguration: 3,
};

export type RoomUpdate = Extract<Change, { kind: 'update-room' }>['update'];

/** The IVS calls, injected (the adapter is shared/ivs/ivs-chat-client.ts). */
export interface FleetPorts {
  listRooms(nextToken: string | undefined): Promise<{ rooms: ObservedRoom[]; nextToken: string | undefined }>;
  getRoom(roomArn: string): Promise<ObservedRoom>;
  updateRoom(roomArn: string, update: RoomUpdate): Promise<ObservedRoom>;
  tagResource(resourceArn: string, tags: Tags): Promise<void>;
  untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void>;
  listLoggingConfigurations(
    nextToken: string | undefined,
  ): Promise<{ configurations: ObservedLoggingConfiguration[]; nextToken: string | undefined }>;
  createLoggingConfiguration(
    name: string,
    destination: LoggingDestination,
    tags: Tags,
  ): Promise<ObservedLoggingConfiguration>;
  updateLoggingConfiguration(arn: string, destination: LoggingDestination): Promise<void>;
  deleteLoggingConfiguration(arn: string): Promise<void>;
  classify(error: unknown): 'throttled' | 'transient' | 'permanent';
}

export interface ReconcileDeps {
  readonly ports: FleetPorts;
  readonly store: RoomStateStore;
  readonly pacer: Pacer<FleetOperation>;
  readonly clock: Clock;
  /** In [0, 1): retry jitter. */
  readonly random: () => number;
  readonly retry?: BackoffOptions;
}

export interface ReconcileRequest {
  readonly manifest: RoomManifest;
  readonly stage: StageTargets;
  /** false: a dry run (reads only; the plan is the result). */
  readonly apply: boolean;
  /** Apply even a plan larger than the manifest's change budget. */
  readonly force: boolean;
  /** Clock time by which the run must have stopped; none: no limit (the CLI). */
  readonly deadline?: number;
  /** Rooms applied at once (default 16); the pacer still keeps each operation at its rate. */
  readonly concurrency?: number;
}

export interface FailedChange {
  readonly change: Change;
  readonly error: string;
}

export interface ReconcileReport {
  readonly rooms: {
    readonly listed: number;
    readonly selected: number;
    /** Selected rooms the plan found already as declared. */
    readonly inSync: number;
    /** Selected rooms with at least one change planned. */
    readonly drifted: number;
    /** Selected rooms left for the next run: not read (GetRoom) or not applied in time. */
    readonly deferred: number;
  };
  readonly changes: readonly Change[];
  readonly problems: readonly RoomProblem[];
  readonly loggingProblems: readonly string[];
  readonly applied: number;
  readonly failed: readonly FailedChange[];
  /** The plan was larger than the change budget and not forced: nothing was applied. */
  readonly overBudget: boolean;
  /** The run stopped before its end because the deadline came near. */
  readonly stoppedEarly: boolean;
  /** Calls made, by operation, retries included. */
  readonly calls: Readonly<Record<FleetOperation, number>>;
  /** Throttling answers (429) met and retried, in all and by operation (each is also in `calls`). */
  readonly throttled: number;
  readonly throttledBy: Readonly<Record<FleetOperation, number>>;
}

const DEFAULT_RETRY: BackoffOptions = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 5_000 };
/** GetRoom reads may use this share of the time to the deadline; the rest is for applying. */
const READ_SHARE = 0.6;
/** A room is not started with less time than this left: its calls (at most 3, each paced) must fit. */
const ROOM_MARGIN_MS = 5_000;

interface PlannedRoom {
  readonly room: ObservedRoom;
  readonly desired: DesiredRoom;
}

export async function reconcileFleet(
  request: ReconcileRequest,
  deps: ReconcileDeps,
): Promise<ReconcileReport> {
  const { manifest, stage } = request;
  const calls = countsByOperation();
  const throttledBy = countsByOperation();
  const startedAt = deps.clock.now();
  const timeLeft = () =>
    request.deadline === undefined ? Number.POSITIVE_INFINITY : request.deadline - deps.clock.now();

  /** One paced, counted, retried IVS call. */
  const call = async <T>(operation: FleetOperation, work: () => Promise<T>): Promise<T> => {
    const { value } = await retryWithBackoff(
      async () => {
        await deps.pacer.acquire(operation);
        calls[operation]++;
        return work();
      },
      {
        classify: deps.ports.classify,
        clock: deps.clock,
        random: deps.random,
        options: deps.retry ?? DEFAULT_RETRY,
        onRetry: (kind) => {
          if (kind !== 'throttled') return;
          throttledBy[operation]++;
          // Someone else is spending the account's quota too: slow down rather than race them for it.
          deps.pacer.throttled(operation);
        },
      },
    );
    return value;
  };

  // Reads: logging configurations, the whole room listing and the known state, concurrently.
  const [configurations, listed, known] = await Promise.all([
    readAllPages((token) =>
      call('ListLoggingConfigurations', () => deps.ports.listLoggingConfigurations(token)).then((page) => ({
        items: page.configurations,
        nextToken: page.nextToken,
      })),
    ),
    readAllPages((token) =>
      call('ListRooms', () => deps.ports.listRooms(token)).then((page) => ({
        items: page.rooms,
        nextToken: page.nextToken,
      })),
    ),
    deps.store.readAll(),
  ]);
  const rooms = uniqueByArn(listed);

  const selected: PlannedRoom[] = [];
  for (const room of rooms) {
    const desired = resolveDesiredRoom(manifest, room);
    if (desired !== undefined) selected.push({ room, desired });
  }

  // GetRoom where the limits are wanted and not known for the room's current updateTime.
  const readBy =
    request.deadline === undefined
      ? Number.POSITIVE_INFINITY
      : startedAt + (request.deadline - startedAt) * READ_SHARE;
  const deferred = new Set<string>();
  const readFailures: RoomProblem[] = [];
  /** Rooms whose limits the store would not take: read again next run; nothing else waits on it. */
  const unrecorded: RoomProblem[] = [];
  const recordLimits = (room: ObservedRoom) =>
    rememberLimits(deps.store, known, room).catch((error: unknown) => {
      unrecorded.push({ roomArn: room.arn, message: `limits not recorded: ${describeError(error)}` });
    });
  const withLimits = await mapConcurrently(selected, request.concurrency ?? 16, async (entry) => {
    if (!needsLimits(entry.desired)) return entry;
    const limits = knownLimits(known.get(entry.room.arn), entry.room.updateTime);
    if (limits !== undefined) return { ...entry, room: { ...entry.room, limits } };
    if (deps.clock.now() >= readBy) {
      deferred.add(entry.room.arn);
      return entry;
    }
    let room: ObservedRoom;
    try {
      room = await call('GetRoom', () => deps.ports.getRoom(entry.room.arn));
    } catch (error) {
      readFailures.push({ roomArn: entry.room.arn, message: `GetRoom failed: ${describeError(error)}` });
      return entry;
    }
    await recordLimits(room);
    return { ...entry, room: { ...entry.room, ...room } };
  });
  const plannable = withLimits.filter((entry) => !deferred.has(entry.room.arn));

  // The plan.
  const loggingPlan = planLoggingConfigurations(manifest, configurations, stage);
  const planRooms = (arnsByName: ReadonlyMap<string, string>) =>
    plannable.map((entry) => ({
      entry,
      ...planRoom(entry.room, entry.desired, {
        stage,
        loggingConfigurationArns: arnsByName,
        removedLoggingConfigurationArns: loggingPlan.removedArns,
        publishedPolicy: known.get(entry.room.arn)?.policy,
        unavailableLoggingConfigurations: loggingPlan.unavailableNames,
      }),
    }));
  let roomPlans = planRooms(loggingPlan.arnsByName);
  const changes = [...loggingPlan.changes, ...roomPlans.flatMap((plan) => plan.changes)];
  const problems = [...readFailures, ...roomPlans.flatMap((plan) => plan.problems)];
  const drifted = roomPlans.filter((plan) => plan.changes.length > 0).length;
  const overBudget = changes.length > manifest.changeBudget && !request.force;

  const failed: FailedChange[] = [];
  let applied = 0;
  let stoppedEarly = deferred.size > 0;
  const attempt = async (change: Change, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      applied++;
      return true;
    } catch (error) {
      failed.push({ change, error: describeError(error) });
      return false;
    }
  };

  if (request.apply && !overBudget) {
    // Logging configurations the rooms will name: created (their ARN then known) or updated.
    const arnsByName = new Map(loggingPlan.arnsByName);
    for (const change of loggingPlan.changes) {
      if (change.kind === 'create-logging-configuration') {
        await attempt(change, async () => {
          const created = await call('CreateLoggingConfiguration', () =>
            deps.ports.createLoggingConfiguration(change.name, change.destination, change.tags),
          );
          arnsByName.set(change.name, created.arn);
        });
      } else if (change.kind === 'update-logging-configuration') {
        await attempt(change, () =>
          call('UpdateLoggingConfiguration', () =>
            deps.ports.updateLoggingConfiguration(change.arn, change.destination),
          ),
        );
      }
    }
    // The same observations, now with the new ARNs: rooms name the configurations just created.
    if (loggingPlan.changes.some((change) => change.kind === 'create-logging-configuration')) {
      roomPlans = planRooms(arnsByName);
    }

    await mapConcurrently(roomPlans, request.concurrency ?? 16, async (plan) => {
      if (plan.changes.length === 0) return;
      if (timeLeft() < ROOM_MARGIN_MS) {
        deferred.add(plan.entry.room.arn);
        stoppedEarly = true;
        return;
      }
      await applyRoom(plan.entry.room, plan.changes, { call, attempt, recordLimits, deps, known });
    });

    for (const change of loggingPlan.changes) {
      if (change.kind !== 'delete-logging-configuration') continue;
      if (stoppedEarly) break;
      await attempt(change, () =>
        call('DeleteLoggingConfiguration', () => deps.ports.deleteLoggingConfiguration(change.arn)),
      );
    }
  }

  return {
    rooms: {
      listed: rooms.length,
      selected: selected.length,
      inSync: roomPlans.filter((plan) => plan.changes.length === 0).length,
      drifted,
      deferred: deferred.size,
    },
    changes,
    problems: [...problems, ...unrecorded],
    loggingProblems: loggingPlan.problems,
    applied,
    failed,
    overBudget,
    stoppedEarly,
    calls,
    throttled: FLEET_OPERATIONS.reduce((total, operation) => total + throttledBy[operation], 0),
    throttledBy,
  };
}

function countsByOperation(): Record<FleetOperation, number> {
  return {
    ListRooms: 0,
    GetRoom: 0,
    UpdateRoom: 0,
    TagResource: 0,
    UntagResource: 0,
    ListLoggingConfigurations: 0,
    CreateLoggingConfiguration: 0,
    UpdateLoggingConfiguration: 0,
    DeleteLoggingConfiguration: 0,
  };
}

interface ApplyContext {
  readonly call: <T>(operation: FleetOperation, work: () => Promise<T>) => Promise<T>;
  readonly attempt: (change: Change, work: () => Promise<void>) => Promise<boolean>;
  /** Stores a room's limits, reporting (not throwing) a store that would not take them. */
  readonly recordLimits: (room: ObservedRoom) => Promise<void>;
  readonly deps: ReconcileDeps;
  readonly known: Map<string, KnownRoomState>;
}

/** One room's changes, in plan order; what the room's state store item must now say is written after. */
async function applyRoom(
  room: ObservedRoom,
  changes: readonly Change[],
  { call, attempt, recordLimits, deps, known }: ApplyContext,
): Promise<void> {
  for (const change of changes) {
    switch (change.kind) {
      case 'update-room':
        await attempt(change, async () => {
          const updated = await call('UpdateRoom', () => deps.ports.updateRoom(room.arn, change.update));
          await recordLimits(updated);
        });
        break;
      case 'tag-room':
        await attempt(change, () => call('TagResource', () => deps.ports.tagResource(room.arn, change.tags)));
        break;
      case 'untag-room':
        await attempt(change, () =>
          call('UntagResource', () => deps.ports.untagResource(room.arn, change.tagKeys)),
        );
        break;
      case 'assign-policy':
        await attempt(change, async () => {
          const { policy: _previous, ...rest } = known.get(room.arn) ?? {};
          const state: KnownRoomState =
            change.policy === undefined ? rest : { ...rest, policy: change.policy };
          await deps.store.put(room.arn, state);
          known.set(room.arn, state);
        });
        break;
      default:
        // Logging configuration changes are applied before and after the rooms.
        break;
    }
  }
}

async function rememberLimits(
  store: RoomStateStore,
  known: Map<string, KnownRoomState>,
  room: ObservedRoom,
): Promise<void> {
  if (room.limits === undefined) return;
  const state: KnownRoomState = {
    ...known.get(room.arn),
    limits: { updateTime: room.updateTime, ...room.limits },
  };
  await store.put(room.arn, state);
  known.set(room.arn, state);
}

function knownLimits(state: KnownRoomState | undefined, updateTime: string): ObservedRoom['limits'] {
  const limits = state?.limits;
  if (limits === undefined || limits.updateTime !== updateTime) return undefined;
  return {
    maximumMessageLength: limits.maximumMessageLength,
    maximumMessageRatePerSecond: limits.maximumMessageRatePerSecond,
  };
}

async function readAllPages<T>(
  readPage: (
    nextToken: string | undefined,
  ) => Promise<{ items: readonly T[]; nextToken: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await readPage(nextToken);
    items.push(...page.items);
    nextToken = page.nextToken === '' ? undefined : page.nextToken;
  } while (nextToken !== undefined);
  return items;
}

/** A room updated while the listing was read can show on two pages: the sighting with the later updateTime wins. */
function uniqueByArn(rooms: readonly ObservedRoom[]): ObservedRoom[] {
  const byArn = new Map<string, ObservedRoom>();
  for (const room of rooms) {
    const seen = byArn.get(room.arn);
    if (seen === undefined || Date.parse(room.updateTime) >= Date.parse(seen.updateTime))
      byArn.set(room.arn, room);
  }
  return [...byArn.values()];
}

async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
