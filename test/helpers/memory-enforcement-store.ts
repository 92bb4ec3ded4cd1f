import type {
  EnforcementStore,
  StoredUserState,
  UserStateUpdate,
} from '../../shared/enforcement/enforcement-store.js';
import { StaleUserStateError } from '../../shared/enforcement/enforcement-store.js';
import type { Sanction } from '../../shared/enforcement/escalation.js';

/** The store port in memory, versions and all: for tests of the code above the DynamoDB adapter. */
export class MemoryEnforcementStore implements EnforcementStore {
  readonly users = new Map<string, StoredUserState>();
  readonly sanctions = new Map<string, Sanction>();
  /** Called (and awaited) before a save is checked: a test can slip a concurrent write in there. */
  beforeSave: () => void | Promise<void> = () => {};

  async loadUsers(roomArn: string, userIds: readonly string[]): Promise<Map<string, StoredUserState>> {
    return new Map(
      userIds.flatMap((userId) => {
        const stored = this.users.get(`${roomArn}|${userId}`);
        return stored === undefined ? [] : [[userId, stored] as const];
      }),
    );
  }

  /** As DynamoDB's per-user conditional puts: every user whose version matches is saved, the rest are stale. */
  async saveUsers(roomArn: string, updates: readonly UserStateUpdate[]): Promise<void> {
    await this.beforeSave();
    const stale: string[] = [];
    for (const { userId, state, pending, expectedVersion } of updates) {
      if ((this.users.get(`${roomArn}|${userId}`)?.version ?? 0) !== expectedVersion) stale.push(userId);
      else this.users.set(`${roomArn}|${userId}`, { state, pending, version: expectedVersion + 1 });
    }
    if (stale.length > 0) throw new StaleUserStateError(stale);
  }

  async putSanction(roomArn: string, userId: string, sanction: Sanction): Promise<void> {
    this.sanctions.set(`${roomArn}|${userId}`, sanction);
  }

  async getSanction(roomArn: string, userId: string): Promise<Sanction | undefined> {
    return this.sanctions.get(`${roomArn}|${userId}`);
  }

  async liftSanction(roomArn: string, userId: string): Promise<void> {
    this.sanctions.delete(`${roomArn}|${userId}`);
  }
}
