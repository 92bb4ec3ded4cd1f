import type { EnforcementStore } from '../enforcement/enforcement-store.js';
import type { Sanction, Strike } from '../enforcement/escalation.js';
import type { PlannedAction } from '../enforcement/plan-enforcement.js';

/** What a moderator sees of one user in one room (`GET /moderation/strikes`, `ivs-mod strikes`). */
export interface UserStanding {
  readonly userId: string;
  readonly strikes: readonly Strike[];
  readonly sanction: Sanction | null;
  /** Actions the consumers planned and have not yet carried out (normally none: they run within seconds). */
  readonly pending: readonly {
    readonly kind: PlannedAction['kind'];
    readonly key: string;
    readonly messageId: string;
    /** ISO 8601. */
    readonly plannedAt: string;
  }[];
}

export async function userStanding(
  store: EnforcementStore,
  roomArn: string,
  userId: string,
): Promise<UserStanding> {
  const [users, sanction] = await Promise.all([
    store.loadUsers(roomArn, [userId]),
    store.getSanction(roomArn, userId),
  ]);
  const stored = users.get(userId);
  return {
    userId,
    strikes: stored?.state.strikes ?? [],
    sanction: sanction ?? null,
    pending: (stored?.pending ?? []).map(({ action, plannedAtMillis }) => ({
      kind: action.kind,
      key: action.key,
      messageId: action.messageId,
      plannedAt: new Date(plannedAtMillis).toISOString(),
    })),
  };
}
