import type { ReviewSettings } from '../review/review-message.js';

/**
 * The only reader of process.env. Each key is documented where it is read and
 * validated once, at cold start: a bad value fails the deploy's first
 * invocation loudly instead of changing behaviour quietly.
 */
function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new Error(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return match;
}

/**
 * REVIEW_FAILURE_RESULT: ALLOW or DENY (default DENY), the verdict for a
 * review event that cannot be reviewed (malformed, oversized, internal error).
 */
export function readReviewSettings(): ReviewSettings {
  return Object.freeze({ failureResult: oneOf('REVIEW_FAILURE_RESULT', ['ALLOW', 'DENY'] as const, 'DENY') });
}
