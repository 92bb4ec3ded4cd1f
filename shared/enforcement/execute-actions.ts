import type { BackoffOptions } from './backoff.js';
import { RetriesExhaustedError, retryWithBackoff } from './backoff.js';
import type { Sanction } from './escalation.js';
import type { Clock, Pacer } from './pacer.js';
import type { EnforcementAction } from './plan-enforcement.js';

/**
 * Carries out enforcement actions: each exactly once (by its key, through the
 * injected `once`), paced under IVS's quotas, retried with exponential
 * backoff and full jitter on throttling and server errors, and reported —
 * done, already done, or failed with why — so nothing is dropped silently.
 */

/** The external calls, injected: IVS Chat (one adapter) and the sanctions store. */
export interface ActionPorts {
  deleteMessage(roomArn: string, messageId: string, reason: string): Promise<void>;
  sendEvent(roomArn: string, eventName: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  disconnectUser(roomArn: string, userId: string, reason: string): Promise<void>;
  putSanction(roomArn: string, userId: string, sanction: Sanction): Promise<void>;
  /** Only moderator actions lift sanctions; the consumers never call it. */
  liftSanction?(roomArn: string, userId: string): Promise<void>;
  /** How a failed call may be retried: throttled and transient failures are, permanent ones are not. */
  classify(error: unknown): 'throttled' | 'transient' | 'permanent';
}

/**
 * Runs `work` once per key; a key already done resolves to `{ duplicate: true }` without running it, and a key
 * another run holds rejects with KeyInProgressError.
 */
export type Once = (key: string, work: () => Promise<void>) => Promise<{ readonly duplicate: boolean }>;

/** Another run holds `key`: not done yet, so retry later (redeliver), do not count it as done. */
export class KeyInProgressError extends Error {
  readonly retryable = true;
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`action ${key} is in progress in another run`, options);
    this.name = 'KeyInProgressError';
  }
}

export type PacedOperation = 'DeleteMessage' | 'SendEvent' | 'DisconnectUser';

export type ExecutorOptions = BackoffOptions;

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  maxAttempts: 6,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

/** `attempts` counts every call made; `throttles` the 429 answers among them that backoff retried. */
export type ActionResult =
  | {
      readonly action: EnforcementAction;
      readonly status: 'done';
      readonly attempts: number;
      readonly throttles: number;
    }
  | { readonly action: EnforcementAction; readonly status: 'duplicate' }
  | {
      readonly action: EnforcementAction;
      readonly status: 'failed';
      readonly attempts: number;
      readonly throttles: number;
      readonly error: string;
      /** Not done because another run holds its key (KeyInProgressError): that run may still do it. */
      readonly inProgress: boolean;
    };

export interface ExecutorDeps {
  readonly ports: ActionPorts;
  readonly once: Once;
  readonly pacer: Pacer<PacedOperation>;
  readonly clock: Clock;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  readonly options?: ExecutorOptions;
}

/** Runs every action (concurrently; the pacer orders calls per operation) and reports each. */
export function executeActions(
  actions: readonly EnforcementAction[],
  deps: ExecutorDeps,
): Promise<ActionResult[]> {
  return Promise.all(actions.map((action) => executeAction(action, deps)));
}

async function executeAction(action: EnforcementAction, deps: ExecutorDeps): Promise<ActionResult> {
  const options = deps.options ?? DEFAULT_EXECUTOR_OPTIONS;
  let attempts = 0;
  let throttles = 0;
  try {
    const { duplicate } = await deps.once(action.key, async () => {
      ({ attempts } = await retryWithBackoff(() => call(action, deps), {
        classify: deps.ports.classify,
        clock: deps.clock,
        random: deps.random,
        options,
        onRetry: (kind) => {
          if (kind === 'throttled') throttles++;
        },
      }));
    });
    return duplicate ? { action, status: 'duplicate' } : { action, status: 'done', attempts, throttles };
  } catch (error) {
    const failure =
      error instanceof RetriesExhaustedError ? error : new RetriesExhaustedError(error, attempts);
    return {
      action,
      status: 'failed',
      attempts: failure.attempts,
      throttles,
      error: failure.message,
      inProgress: error instanceof KeyInProgressError,
    };
  }
}

async function call(action: EnforcementAction, { ports, pacer }: ExecutorDeps): Promise<void> {
  switch (action.kind) {
    case 'delete-message':
      await pacer.acquire('DeleteMessage');
      return ports.deleteMessage(action.roomArn, action.messageId, action.reason);
    case 'warn':
      await pacer.acquire('SendEvent');
      return ports.sendEvent(action.roomArn, action.eventName, {
        userId: action.userId,
        reason: action.reason,
        strikes: String(action.strikes),
      });
    case 'disconnect':
      await pacer.acquire('DisconnectUser');
      return ports.disconnectUser(action.roomArn, action.userId, action.reason);
    case 'sanction':
      return ports.putSanction(action.roomArn, action.userId, action.sanction);
    case 'lift-sanction':
      if (ports.liftSanction === undefined) throw new Error('this executor cannot lift sanctions');
      return ports.liftSanction(action.roomArn, action.userId);
    case 'notify':
      await pacer.acquire('SendEvent');
      return ports.sendEvent(action.roomArn, action.eventName, action.attributes);
  }
}
