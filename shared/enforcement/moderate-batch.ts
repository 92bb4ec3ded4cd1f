import type { LoggedMessage } from '../chat-logs/chat-log-record.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import type {
  EnforcementStore,
  PendingAction,
  StoredUserState,
  UserStateUpdate,
} from './enforcement-store.js';
import { StaleUserStateError } from './enforcement-store.js';
import type { ActionResult } from './execute-actions.js';
import type {
  EnforcementAction,
  EnforcementPlan,
  MessageOutcome,
  PlannedAction,
  UserState,
} from './plan-enforcement.js';
import { EMPTY_USER_STATE, planEnforcement } from './plan-enforcement.js';

/**
 * One room's batch of logged messages, end to end, through an outbox:
 *
 * 1. load each sender's state, plan, and save the new state together with the actions it plans (each user's
 *    item holds that user's pending actions). A save is conditional on the version loaded: the users whose
 *    save lost a race with another invocation are loaded and planned again, and nothing of the plan that lost
 *    was acted on;
 * 2. execute the pending actions this batch owns (those answering one of its messages), and any a batch left
 *    behind long ago (its invocation died and was never redelivered): each exactly once by its key;
 * 3. drop what was done from the pending lists (best effort: an action left listed is a duplicate when it
 *    runs again, by its key).
 *
 * A failed action stays pending; the caller fails the invocation and the redelivered batch, which plans
 * nothing new (its messages are in the saved state), runs it again. So concurrent invocations over one room
 * neither lose enforcement nor act on a plan that was not kept.
 */

export interface ModerationDeps {
  /** The stage's policy: every room's, unless `policyFor` assigns it another. */
  readonly policy: CompiledPolicy;
  /** The room's policy as the reconciler assigned it (config/rooms.yaml); absent: `policy` everywhere. */
  readonly policyFor?: (roomArn: string) => Promise<CompiledPolicy>;
  readonly store: EnforcementStore;
  /** Carries actions out (executeActions with its ports); not called in shadow mode. */
  readonly execute: (actions: readonly EnforcementAction[]) => Promise<ActionResult[]>;
  readonly now: () => number;
}

export interface RoomModeration {
  readonly roomArn: string;
  /** What this invocation planned and saved (a redelivered batch plans nothing new). */
  readonly plan: EnforcementPlan;
  /**
   * What was done: this batch's pending actions, new or left by an earlier delivery, and any orphaned ones;
   * empty in shadow mode, where `plan.actions` is what would have been. When one failed, it is still pending:
   * the caller must fail the invocation so that the batch comes again.
   */
  readonly results: readonly ActionResult[];
  readonly shadow: boolean;
  /** The policy the room's batch was enforced with. */
  readonly policy: CompiledPolicy;
  /** Plans that lost a race with another invocation's save and were made again (for the users concerned). */
  readonly replans: number;
  /** Pending actions given up on (older than ABANDONED_AFTER_MILLIS, or past MAX_PENDING_BYTES for one user). */
  readonly abandoned: readonly EnforcementAction[];
  /** Done actions still listed as pending, because dropping them lost to other saves: harmless duplicates. */
  readonly uncleared: number;
}

/** Planning acts on nothing until it is saved, so a contended room can afford several tries. */
const MAX_PLANS = 8;
const MAX_CLEARS = 5;
/**
 * A pending action whose batch has not finished it after this long is any batch's to run: the invocation that
 * owned it died, and its redeliveries ran out (the batch is in the dead-letter queue). Lambda's longest timeout,
 * so a live invocation never shares its actions.
 */
export const ORPHANED_AFTER_MILLIS = 15 * 60_000;
/**
 * A pending action this old is dropped, not run: it must stay under how long the executor's idempotency keys
 * are kept (a day), or a done action still listed could run twice; a warning or a disconnect that late would
 * be wrong anyway.
 */
export const ABANDONED_AFTER_MILLIS = 12 * 3_600_000;
/**
 * Per user, what the pending actions may take of the user's item (estimated, UTF-8), the oldest beyond it being
 * dropped: DynamoDB refuses an item over 400 KB, and `recent` takes up to about 100 KB. About 1,500 deletions
 * with a short reason: more than one user's flood in one batch at any rate IVS allows a room.
 */
export const MAX_PENDING_BYTES = 200_000;

const NOTHING_STORED: StoredUserState = { state: EMPTY_USER_STATE, version: 0, pending: [] };
const NOTHING_PENDING = { kept: [], given: [], added: [] } as const;

export async function moderateRoomBatch(
  roomArn: string,
  messages: readonly LoggedMessage[],
  deps: ModerationDeps,
): Promise<RoomModeration> {
  const policy = deps.policyFor === undefined ? deps.policy : await deps.policyFor(roomArn);
  const shadow = policy.document.enforcement.mode === 'shadow';
  const saved = await planAndSave(roomArn, messages, policy, shadow, deps);
  const base = {
    roomArn,
    plan: saved.plan,
    shadow,
    policy,
    replans: saved.replans,
    abandoned: saved.abandoned,
  };
  if (shadow) return { ...base, results: [], uncleared: 0 };

  const nowMillis = deps.now();
  // What this invocation planned is its own; what it found pending is, if it answers one of its messages (a
  // redelivery) or was left long ago. The set of its messages is made only for what it found.
  let ownMessages: ReadonlySet<string> | undefined;
  const due: PlannedAction[] = [];
  for (const { pending } of saved.users.values()) {
    for (const entry of pending) {
      if (!saved.added.has(entry)) {
        ownMessages ??= new Set(messages.map((message) => message.id));
        if (
          !ownMessages.has(entry.action.messageId) &&
          nowMillis - entry.plannedAtMillis < ORPHANED_AFTER_MILLIS
        )
          continue;
      }
      due.push(entry.action);
    }
  }
  const results = due.length === 0 ? [] : await deps.execute(due);
  const finished = new Set(
    results.filter((result) => result.status !== 'failed').map(({ action }) => action.key),
  );
  const uncleared = await clearFinished(roomArn, saved.users, finished, saved.expiresAtMillis, deps);
  return { ...base, results, uncleared };
}

interface SavedBatch {
  readonly plan: EnforcementPlan;
  /** Each sender's state as saved, with its version. */
  readonly users: ReadonlyMap<string, StoredUserState>;
  readonly replans: number;
  readonly abandoned: readonly EnforcementAction[];
  /** The pending entries this invocation's plans added (the rest were pending already). */
  readonly added: ReadonlySet<PendingAction>;
  /** When the saved items expire (TTL). */
  readonly expiresAtMillis: number;
}

async function planAndSave(
  roomArn: string,
  messages: readonly LoggedMessage[],
  policy: CompiledPolicy,
  shadow: boolean,
  deps: ModerationDeps,
): Promise<SavedBatch> {
  const actions: PlannedAction[] = [];
  const outcomes: MessageOutcome[] = [];
  const states = new Map<string, UserState>();
  const saved = new Map<string, StoredUserState>();
  const abandoned: EnforcementAction[] = [];
  const added = new Set<PendingAction>();
  let remaining = messages;
  for (let attempt = 1; ; attempt++) {
    const userIds = [...new Set(remaining.map((message) => message.sender.userId))];
    const stored = await deps.store.loadUsers(roomArn, userIds);
    const nowMillis = deps.now();
    const plan = planEnforcement({
      roomArn,
      messages: remaining,
      policy,
      users: new Map(userIds.map((userId) => [userId, stored.get(userId)?.state ?? EMPTY_USER_STATE])),
      nowMillis,
    });
    const dropped: EnforcementAction[] = [];
    const planned = new Map<string, PlannedAction[]>();
    // In shadow mode nothing is ever executed, so nothing is kept to execute.
    for (const action of shadow ? [] : plan.actions) {
      const listed = planned.get(action.userId);
      if (listed === undefined) planned.set(action.userId, [action]);
      else listed.push(action);
    }
    const fresh = new Set<PendingAction>();
    const updates = userIds.map((userId): UserStateUpdate => {
      const before = stored.get(userId) ?? NOTHING_STORED;
      const { kept, given, added } = withPending(before.pending, planned.get(userId) ?? [], nowMillis);
      for (const action of given) dropped.push(action);
      for (const entry of added) fresh.add(entry);
      return {
        userId,
        state: plan.users.get(userId) ?? before.state,
        pending: kept,
        expectedVersion: before.version,
      };
    });
    let stale: ReadonlySet<string> = new Set();
    const expiresAtMillis = expiresAt(policy, updates, nowMillis);
    try {
      await deps.store.saveUsers(roomArn, updates, expiresAtMillis);
    } catch (error) {
      if (!(error instanceof StaleUserStateError) || attempt >= MAX_PLANS) throw error;
      stale = new Set(error.userIds);
    }
    if (attempt === 1 && stale.size === 0) {
      // The common case, one plan saved whole: nothing to merge.
      const users = new Map(updates.map((update) => [update.userId, savedState(update)]));
      return { plan, users, replans: 0, abandoned: dropped, added: fresh, expiresAtMillis };
    }
    for (const entry of fresh) if (!stale.has(entry.action.userId)) added.add(entry);
    for (const update of updates) {
      if (stale.has(update.userId)) continue;
      states.set(update.userId, update.state);
      saved.set(update.userId, savedState(update));
    }
    // Loops, not push(...): a batch of 20,000 records can plan more actions than a call takes arguments.
    for (const action of plan.actions) if (!stale.has(action.userId)) actions.push(action);
    for (const outcome of plan.outcomes) if (!stale.has(outcome.userId)) outcomes.push(outcome);
    for (const action of dropped) if (!stale.has(action.userId)) abandoned.push(action);
    if (stale.size === 0) {
      const plan = { actions, outcomes, users: states };
      return { plan, users: saved, replans: attempt - 1, abandoned, added, expiresAtMillis };
    }
    remaining = remaining.filter((message) => stale.has(message.sender.userId));
  }
}

function savedState(update: UserStateUpdate): StoredUserState {
  return { state: update.state, version: update.expectedVersion + 1, pending: update.pending };
}

/**
 * A user's pending actions after a plan: those already pending (a redelivered batch plans again what it
 * planned before: its keys are listed once) and the new ones, less those past ABANDONED_AFTER_MILLIS and the
 * oldest beyond MAX_PENDING_BYTES, which are `given` up.
 */
function withPending(
  before: readonly PendingAction[],
  fresh: readonly PlannedAction[],
  nowMillis: number,
): {
  readonly kept: readonly PendingAction[];
  readonly given: readonly EnforcementAction[];
  /** The entries of `kept` made for `fresh`. */
  readonly added: readonly PendingAction[];
} {
  // Most users of a batch have nothing pending and nothing planned; most of the rest, only what was just planned.
  if (before.length === 0 && fresh.length === 0) return NOTHING_PENDING;
  const listed = new Set(before.map(({ action }) => action.key));
  const entries = fresh
    .filter((action) => !listed.has(action.key))
    .map((action): PendingAction => ({ action, plannedAtMillis: nowMillis }));
  if (
    before.length === 0 &&
    entries.reduce((total, { action }) => total + mostBytes(action), 0) <= MAX_PENDING_BYTES
  )
    return { kept: entries, given: [], added: entries };
  const all = [...before, ...entries];
  const live = all.filter(({ plannedAtMillis }) => nowMillis - plannedAtMillis < ABANDONED_AFTER_MILLIS);
  let first = 0;
  // Measured only when a bound on the size says it may be too much.
  if (live.reduce((total, { action }) => total + mostBytes(action), 0) > MAX_PENDING_BYTES) {
    first = live.length;
    for (let bytes = 0; first > 0; first--) {
      const entry = live[first - 1];
      bytes += entry === undefined ? 0 : storedBytes(entry.action);
      if (bytes > MAX_PENDING_BYTES) break;
    }
  }
  const kept = live.slice(first);
  const keeps = new Set(kept);
  return {
    kept,
    given: all.filter((entry) => !keeps.has(entry)).map(({ action }) => action),
    added: entries.filter((entry) => keeps.has(entry)),
  };
}

/**
 * When the users' items expire: after the longest window their state is read in, and not before a pending
 * action could still run.
 */
function expiresAt(policy: CompiledPolicy, updates: readonly UserStateUpdate[], nowMillis: number): number {
  const { flood, duplicates, strikeWindowMinutes } = policy.document.enforcement;
  const keep = Math.max(
    (flood?.windowSeconds ?? 0) * 1000,
    (duplicates?.windowSeconds ?? 0) * 1000,
    strikeWindowMinutes * 60_000,
  );
  const pending = updates.some((update) => update.pending.length > 0);
  return nowMillis + (pending ? Math.max(keep, ABANDONED_AFTER_MILLIS) : keep);
}

/**
 * Drops the `finished` actions from the pending lists they were saved in. A user saved since by another
 * invocation is loaded again (that save kept the list); after MAX_CLEARS tries, or when the store fails, the
 * rest stay listed. Returns how many done actions may stay listed.
 */
async function clearFinished(
  roomArn: string,
  users: ReadonlyMap<string, StoredUserState>,
  finished: ReadonlySet<string>,
  expiresAtMillis: number,
  deps: ModerationDeps,
): Promise<number> {
  if (finished.size === 0) return 0;
  let holding = listing(users, finished);
  for (let attempt = 1; holding.size > 0; attempt++) {
    const updates = [...holding].map(
      ([userId, stored]): UserStateUpdate => ({
        userId,
        state: stored.state,
        pending: stored.pending.filter(({ action }) => !finished.has(action.key)),
        expectedVersion: stored.version,
      }),
    );
    let stale: readonly string[];
    try {
      await deps.store.saveUsers(roomArn, updates, expiresAtMillis);
      return 0;
    } catch (error) {
      // Which of the users a failed store saved is unknown: count them all.
      if (!(error instanceof StaleUserStateError)) return countListed(holding, finished);
      stale = error.userIds;
    }
    const unsaved = new Map([...holding].filter(([userId]) => stale.includes(userId)));
    if (attempt >= MAX_CLEARS) return countListed(unsaved, finished);
    try {
      holding = listing(await deps.store.loadUsers(roomArn, stale), finished);
    } catch {
      return countListed(unsaved, finished);
    }
  }
  return 0;
}

/** The users among `users` whose pending list holds a `finished` action. */
function listing(
  users: ReadonlyMap<string, StoredUserState>,
  finished: ReadonlySet<string>,
): Map<string, StoredUserState> {
  return new Map(
    [...users].filter(([, { pending }]) => pending.some(({ action }) => finished.has(action.key))),
  );
}

function countListed(users: ReadonlyMap<string, StoredUserState>, finished: ReadonlySet<string>): number {
  let count = 0;
  for (const { pending } of users.values()) {
    for (const { action } of pending) if (finished.has(action.key)) count++;
  }
  return count;
}

/**
 * At least storedBytes(action), from the lengths of its strings alone: six bytes a unit (a control character
 * escaped in JSON; UTF-8 takes at most three), and room for the rest.
 */
function mostBytes(action: PlannedAction): number {
  let units = action.key.length + action.messageId.length + action.roomArn.length + action.userId.length;
  if (action.kind === 'sanction') units += action.sanction.reason.length;
  else units += action.reason.length + (action.kind === 'warn' ? action.eventName.length : 0);
  // Field names, punctuation, numbers (a strike count, a time) and storedBytes()'s allowance: under 300 bytes.
  return 6 * units + 300;
}

/**
 * An action's size in a stored item, overestimated: its pending entry as UTF-8 JSON (`{"action":…,
 * "plannedAtMillis":…}`), whose names and room and user the item does not even store.
 */
function storedBytes(action: PlannedAction): number {
  const text = JSON.stringify(action);
  let bytes = 48;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    // A surrogate pair is four bytes, two per unit.
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}
