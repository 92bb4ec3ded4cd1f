import type { LoggedMessage } from '../chat-logs/chat-log-record.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import type { EnforcementStore, StoredUserState } from './enforcement-store.js';
import { StaleUserStateError } from './enforcement-store.js';
import type { ActionResult } from './execute-actions.js';
import type { EnforcementAction, EnforcementPlan, UserState } from './plan-enforcement.js';
import { EMPTY_USER_STATE, planEnforcement } from './plan-enforcement.js';

/**
 * One room's batch of logged messages, end to end: load each sender's state,
 * plan, act, save. Acting comes before saving: if the invocation dies between
 * the two, the redelivered batch plans the same actions again and their keys
 * make them no-ops; saving first would lose them. For the same reason a
 * batch with a failed action is not saved at all: its caller fails the
 * invocation, and the redelivered batch, planned from the state before it,
 * runs the failed action again (saved state would show its message handled
 * and plan nothing for it). A save that loses a race with another invocation
 * is planned again from fresh state.
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
  readonly plan: EnforcementPlan;
  /**
   * What was done: empty in shadow mode, where `plan.actions` is what would have been. When one failed,
   * the users' state was not saved: the caller must fail the invocation so that the batch comes again.
   */
  readonly results: readonly ActionResult[];
  readonly shadow: boolean;
  /** The policy the room's batch was enforced with. */
  readonly policy: CompiledPolicy;
}

const MAX_PLANS = 3;

export async function moderateRoomBatch(
  roomArn: string,
  messages: readonly LoggedMessage[],
  deps: ModerationDeps,
): Promise<RoomModeration> {
  const policy = deps.policyFor === undefined ? deps.policy : await deps.policyFor(roomArn);
  const { enforcement } = policy.document;
  const shadow = enforcement.mode === 'shadow';
  const userIds = [...new Set(messages.map((message) => message.sender.userId))];
  const done = new Set<string>();
  const results: ActionResult[] = [];
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.loadUsers(roomArn, userIds);
    const nowMillis = deps.now();
    const users = new Map<string, UserState>(
      userIds.map((userId) => [userId, stored.get(userId)?.state ?? EMPTY_USER_STATE]),
    );
    const plan = planEnforcement({ roomArn, messages, policy, users, nowMillis });
    if (!shadow) {
      // A replan repeats actions already carried out in this invocation: their keys would skip them anyway.
      const fresh = plan.actions.filter((action) => !done.has(action.key));
      let failed = false;
      for (const result of await deps.execute(fresh)) {
        results.push(result);
        if (result.status === 'failed') failed = true;
        else done.add(result.action.key);
      }
      if (failed) return { roomArn, plan, results, shadow, policy };
    }
    try {
      await deps.store.saveUsers(roomArn, updates(plan, stored), nowMillis + keepMillis(policy));
      return { roomArn, plan, results, shadow, policy };
    } catch (error) {
      if (!(error instanceof StaleUserStateError) || attempt >= MAX_PLANS) throw error;
    }
  }
}

function updates(plan: EnforcementPlan, stored: ReadonlyMap<string, StoredUserState>) {
  return [...plan.users].map(([userId, state]) => ({
    userId,
    state,
    expectedVersion: stored.get(userId)?.version ?? 0,
  }));
}

/** How long a user's state matters: the longest window it is read in. */
function keepMillis(policy: CompiledPolicy): number {
  const { flood, duplicates, strikeWindowMinutes } = policy.document.enforcement;
  return Math.max(
    (flood?.windowSeconds ?? 0) * 1000,
    (duplicates?.windowSeconds ?? 0) * 1000,
    strikeWindowMinutes * 60_000,
  );
}
