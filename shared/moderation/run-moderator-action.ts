import type { ActionResult } from '../enforcement/execute-actions.js';
import type { EnforcementAction } from '../enforcement/plan-enforcement.js';
import type { AuditEntry, ModeratorRequest } from './moderator-actions.js';
import { planModeratorAction } from './moderator-actions.js';

/** The audit log: one entry per request id, whatever the retries. */
export interface AuditLog {
  /** Records the entry unless its request id is already there. */
  record(entry: AuditEntry): Promise<'recorded' | 'duplicate'>;
  /** The entry of a request id, if it was recorded. */
  get(roomArn: string, requestId: string): Promise<AuditEntry | undefined>;
  /** A room's entries, oldest first. */
  list(
    roomArn: string,
    filter?: { readonly sinceMillis?: number; readonly userId?: string },
  ): Promise<AuditEntry[]>;
}

export interface ModeratorActionDeps {
  /** executeActions with the IVS ports, the sanctions store and the idempotency table. */
  readonly execute: (actions: readonly EnforcementAction[]) => Promise<ActionResult[]>;
  readonly audit: AuditLog;
  /** Drops a held message once approved or rejected (after the audit entry: a retry still finds it). */
  readonly releaseHeld?: (roomArn: string, messageId: string) => Promise<void>;
  readonly now: () => number;
}

export type ModeratorActionOutcome =
  | {
      readonly ok: true;
      readonly audit: AuditEntry;
      readonly auditRecord: 'recorded' | 'duplicate';
      readonly results: readonly ActionResult[];
    }
  /** Some action could not be done: nothing is audited, and the same request id may be sent again. */
  | {
      readonly ok: false;
      readonly failed: readonly { readonly key: string; readonly error: string }[];
      /**
       * Every action not done is held by another run of the same request (a retry sent while the first
       * still waits on IVS): nothing failed, and that run may finish it.
       */
      readonly inProgress: boolean;
      readonly results: readonly ActionResult[];
    };

/**
 * Carries a moderator's request out: its actions (each once by its key, so a
 * retried request repeats none), then the audit entry, written once by its
 * request id. A request whose actions did not all succeed is not audited yet:
 * what happened is what the retry finishes, and only then is it recorded.
 */
export async function runModeratorAction(
  request: ModeratorRequest,
  deps: ModeratorActionDeps,
): Promise<ModeratorActionOutcome> {
  const { actions, audit } = planModeratorAction(request, deps.now());
  const results = await deps.execute(actions);
  const notDone = results.flatMap((result) => (result.status === 'failed' ? [result] : []));
  if (notDone.length > 0)
    return {
      ok: false,
      failed: notDone.map((result) => ({ key: result.action.key, error: result.error })),
      inProgress: notDone.every((result) => result.inProgress),
      results,
    };
  const auditRecord = await deps.audit.record(audit);
  const { command } = request;
  if (command.kind === 'approve' || command.kind === 'reject') {
    if (deps.releaseHeld === undefined) throw new Error('approving or rejecting needs releaseHeld');
    await deps.releaseHeld(command.roomArn, command.messageId);
  }
  return { ok: true, audit, auditRecord, results };
}
