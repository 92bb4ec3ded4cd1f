import type { Sanction } from './escalation.js';
import type { UserState } from './plan-enforcement.js';

/**
 * Where the chat log consumers keep enforcement state between batches (one
 * adapter: DynamoDB, with a TTL on every item). A user's state carries a
 * version, so two invocations that enforce the same room at once cannot
 * overwrite each other: a stale save fails and the batch is planned again
 * (its actions are idempotent, so planning twice acts once).
 */
export interface StoredUserState {
  readonly state: UserState;
  /** 0 for a user with nothing stored yet. */
  readonly version: number;
}

export interface UserStateUpdate {
  readonly userId: string;
  readonly state: UserState;
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
