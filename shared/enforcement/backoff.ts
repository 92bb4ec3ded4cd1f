import type { Clock } from './pacer.js';

export interface BackoffOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export type FailureKind = 'throttled' | 'transient' | 'permanent';

export interface BackoffDeps {
  readonly classify: (error: unknown) => FailureKind;
  readonly clock: Clock;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  readonly options: BackoffOptions;
  /** Told about each failed attempt that will be retried. */
  readonly onRetry?: (kind: FailureKind) => void;
}

/**
 * Runs `attempt` until it succeeds, a failure is permanent or the attempts run out (then the last error is
 * thrown). Between attempts it sleeps with exponential backoff and full jitter, which spreads the retries
 * of concurrent callers that were throttled together. Returns the result and the attempts it took.
 */
export async function retryWithBackoff<T>(
  attempt: () => Promise<T>,
  deps: BackoffDeps,
): Promise<{ readonly value: T; readonly attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { value: await attempt(), attempts };
    } catch (error) {
      const kind = deps.classify(error);
      if (kind === 'permanent' || attempts >= deps.options.maxAttempts) {
        throw new RetriesExhaustedError(error, attempts);
      }
      deps.onRetry?.(kind);
      const ceiling = Math.min(deps.options.maxDelayMs, deps.options.baseDelayMs * 2 ** (attempts - 1));
      await deps.clock.sleep(Math.floor(deps.random() * ceiling));
    }
  }
}

/** The last failure of `retryWithBackoff`, with how many attempts were made. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(describeError(lastError), { cause: lastError });
    this.name = 'RetriesExhaustedError';
  }
}

/** `Name: message`, with the cause's own description when it adds one: a wrapper's message rarely says why. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = `${error.name}: ${error.message}`;
  const cause = error.cause === undefined ? '' : describeError(error.cause);
  return cause === '' || own.includes(cause) ? own : `${own} (${cause})`;
}
