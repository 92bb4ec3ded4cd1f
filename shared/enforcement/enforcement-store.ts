import type { Sanction } from './escalation.js';
import type { PlannedAction, UserState } from './plan-enforcement.js';

/**
 * Where the chat log consumers keep enforcement state between batches (one
 * adapter: DynamoDB, with a TTL on every item). A user's state carries a
 * version, so two invocations that enforce the same room at once cannot
 * overwrite each other: a stale save fails and the batch is planned again.
 * The state also holds the user's actions planned and not yet carried out
 * (an outbox): they are saved with the state that planned them, and only then
 * executed, so a plan that loses the race is never acted on.
 */
export interface StoredUserState {
  readonly state: UserState;
  /** 0 for a user with nothing stored yet. */
  readonly version: number;
  /** Actions planned for this user and not yet known to be done, oldest first. */
  readonly pending: readonly PendingAction[];
}

/** An action kept with the state of its user until it is done. */
export interface PendingAction {
  readonly action: PlannedAction;
  readonly plannedAtMillis: number;
}

export interface UserStateUpdate {
  readonly userId: string;
  readonly state: UserState;
  readonly pending: readonly PendingAction[];
  /** The version loaded; the save succeeds only if it is still the stored one. */
  readonly expectedVersion: number;
}

/** A save lost to a concurrent one: reload these users and plan again. */
export class StaleUserStateError extends Error {
  constructor(readonly userIds: readonly string[]) {
    super(`user state changed concurrently for ${userIds.length} user(s)`);
    this.name = 'StaleUserStateError';
  }
}

export interface EnforcementStore {
  loadUsers(roomArn: string, userIds: readonly string[]): Promise<Map<string, StoredUserState>>;
  /** Saves every update or throws StaleUserStateError; the items expire at `expiresAtMillis` (TTL). */
  saveUsers(roomArn: string, updates: readonly UserStateUpdate[], expiresAtMillis: number): Promise<void>;
  /** A ban has no expiry; a timeout's item expires with it. */
  putSanction(roomArn: string, userId: string, sanction: Sanction): Promise<void>;
  getSanction(roomArn: string, userId: string): Promise<Sanction | undefined>;
  liftSanction(roomArn: string, userId: string): Promise<void>;
}
