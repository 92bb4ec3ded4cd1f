import type { LadderStep } from '../policy/policy-document.js';

/**
 * Strikes and the escalation ladder: each strike a user earns in a room
 * (a rule broken after delivery: a flood, a duplicate, a message the
 * re-check denies) counts for the policy's window, and the ladder says what
 * the count brings.
 */

export interface Strike {
  readonly atMillis: number;
  readonly ruleId: string;
  /** The message that earned it: a redelivered batch earns no second strike. */
  readonly messageId: string;
}

/** The strikes still inside the window at `nowMillis`, oldest first. */
export function activeStrikes(
  strikes: readonly Strike[],
  nowMillis: number,
  windowMinutes: number,
): Strike[] {
  const since = nowMillis - windowMinutes * 60_000;
  return strikes.filter((strike) => strike.atMillis > since).sort((a, b) => a.atMillis - b.atMillis);
}

/**
 * The step for a user with `count` active strikes: the last one whose threshold the count has reached, so
 * strikes past the top step repeat it (a banned user who keeps going stays banned). Undefined below the first.
 */
export function stepFor(count: number, ladder: readonly LadderStep[]): LadderStep | undefined {
  let reached: LadderStep | undefined;
  for (const step of ladder) if (step.strikes <= count) reached = step;
  return reached;
}

/** A sanction the review handler enforces: DENY the user's messages in the room until it expires (never for a ban). */
export type Sanction =
  | { readonly kind: 'timeout'; readonly untilMillis: number; readonly reason: string }
  | { readonly kind: 'ban'; readonly reason: string };

/** Whether `sanction` still holds at `nowMillis`. */
export function isInForce(sanction: Sanction, nowMillis: number): boolean {
  return sanction.kind === 'ban' || sanction.untilMillis > nowMillis;
}

/** The sanction a step imposes, if it imposes one (warn and disconnect act once and leave none). */
export function sanctionOf(step: LadderStep, nowMillis: number, reason: string): Sanction | undefined {
  if (step.action === 'timeout')
    return { kind: 'timeout', untilMillis: nowMillis + step.seconds * 1_000, reason };
  if (step.action === 'ban') return { kind: 'ban', reason };
  return undefined;
}
