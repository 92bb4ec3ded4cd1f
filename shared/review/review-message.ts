import type { Sanction } from '../enforcement/escalation.js';
import type { HeldMessage } from '../moderation/held-message.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import type { Decision } from '../rules/evaluate.js';
import { evaluateMessage, isExempt } from '../rules/evaluate.js';
import type { ReviewRequest, ReviewResponse } from './review-contract.js';
import { parseReviewRequest } from './review-contract.js';

export type ReviewResult = ReviewResponse['ReviewResult'];

export interface ReviewSettings {
  /**
   * The verdict for a message that cannot be reviewed: a malformed event,
   * content over the policy's maxContentLength, or an internal error.
   * DENY fails closed, ALLOW fails open.
   */
  readonly failureResult: ReviewResult;
}

/** Attributes this pipeline adds to reviewed messages; any client-sent key with this prefix is removed. */
export const MODERATION_ATTRIBUTE_PREFIX = 'moderation.';
export const ATTRIBUTE_RESULT = 'moderation.result';
export const ATTRIBUTE_RULES = 'moderation.rules';
/** IVS passes this attribute of a DENY to the sender with the 406 error. */
export const ATTRIBUTE_REASON = 'Reason';
export const FAILURE_REASON = 'Your message could not be checked. Please try again.';
/** Message attributes are limited to 1 KB; what we add never pushes a message over it. */
const ATTRIBUTE_BUDGET_BYTES = 1024;

/** The response and what happened; logs take identifiers, verdicts and rule ids from it, never content. */
export interface ReviewOutcome {
  readonly response: ReviewResponse;
  /** HOLD: denied, and `held` is to be stored for a moderator. */
  readonly result: 'ALLOW' | 'MASK' | 'DENY' | 'HOLD';
  readonly ruleIds: readonly string[];
  readonly messageId: string;
  readonly roomArn: string;
  readonly userId: string;
  readonly decision: Decision | undefined;
  /** Set when the failure verdict was applied. */
  readonly failure: string | undefined;
  /** What a hold rule kept back (without its retention: the caller sets that). */
  readonly held?: Omit<HeldMessage, 'heldAtMillis' | 'expiresAtMillis'>;
  readonly error: unknown;
}

/** The rule id reported when a sanction, not a rule, refuses a message. */
export const SANCTION_RULE_ID = 'sanction';

/**
 * Reviews one IVS message review event against a policy. Never throws: an
 * event it cannot review gets `settings.failureResult`. `sanction` is the
 * sender's timeout or ban in the event's room, looked up by the caller
 * within its time budget; it refuses the message unless the policy exempts
 * the sender (moderators are never locked out by enforcement).
 */
export function reviewMessage(
  event: unknown,
  policy: CompiledPolicy,
  settings: ReviewSettings,
  sanction?: Sanction,
): ReviewOutcome {
  const parsed = parseReviewRequest(event);
  if (!parsed.ok) return failure(settings, parsed.problem, undefined, parsed.request);
  const { request } = parsed;
  if (sanction !== undefined && !isExempt(request.sender.attributes, policy.document.exemptions)) {
    return outcome(request, 'DENY', [SANCTION_RULE_ID], undefined, {
      ReviewResult: 'DENY',
      Content: request.content,
      Attributes: refusalAttributes(sanctionReason(sanction), [SANCTION_RULE_ID]),
    });
  }
  if (request.content.length > policy.document.settings.maxContentLength) {
    return failure(settings, 'content is longer than maxContentLength', request.content, request);
  }
  try {
    const decision = evaluateMessage(request.content, request.sender.attributes, policy);
    return fromDecision(request, decision);
  } catch (error) {
    const failed = failure(settings, 'internal error', request.content, request);
    return { ...failed, error };
  }
}

function fromDecision(request: ReviewRequest, decision: Decision): ReviewOutcome {
  const ruleIds = actedRuleIds(decision);
  switch (decision.verdict) {
    case 'deny':
      return outcome(request, 'DENY', ruleIds, decision, {
        ReviewResult: 'DENY',
        Content: request.content,
        Attributes: refusalAttributes(decision.reason, ruleIds),
      });
    case 'hold':
      return {
        ...outcome(request, 'HOLD', ruleIds, decision, {
          ReviewResult: 'DENY',
          Content: request.content,
          Attributes: refusalAttributes(decision.reason, ruleIds),
        }),
        held: {
          roomArn: request.roomArn,
          messageId: request.messageId,
          userId: request.sender.userId,
          content: request.content,
          attributes: request.attributes,
          senderAttributes: request.sender.attributes,
          ruleIds,
          reason: decision.reason,
        },
      };
    case 'mask':
      return outcome(request, 'MASK', ruleIds, decision, {
        ReviewResult: 'ALLOW',
        Content: decision.content,
        Attributes: withModerationAttributes(request.attributes, [
          [ATTRIBUTE_RESULT, 'masked'],
          [ATTRIBUTE_RULES, ruleIds.join(',')],
        ]),
      });
    case 'allow':
      return outcome(request, 'ALLOW', ruleIds, decision, {
        ReviewResult: 'ALLOW',
        Content: request.content,
        Attributes: withModerationAttributes(request.attributes, []),
      });
  }
}

/**
 * A refusal's attributes: the Reason the sender sees, and as many of the rule ids as fit the 1 KB IVS allows.
 * A reply over it is invalid, and IVS would apply the room's fallbackResult (by default ALLOW) instead.
 */
function refusalAttributes(reason: string, ruleIds: readonly string[]): Record<string, string> {
  let room =
    ATTRIBUTE_BUDGET_BYTES -
    Buffer.byteLength(ATTRIBUTE_REASON) -
    Buffer.byteLength(reason) -
    Buffer.byteLength(ATTRIBUTE_RULES);
  let rules = '';
  for (const id of ruleIds) {
    const piece = rules === '' ? id : `,${id}`;
    const size = Buffer.byteLength(piece);
    if (size > room) break;
    rules += piece;
    room -= size;
  }
  return { [ATTRIBUTE_REASON]: reason, [ATTRIBUTE_RULES]: rules };
}

function sanctionReason(sanction: Sanction): string {
  if (sanction.kind === 'ban') return 'You are banned from this chat.';
  return `You are timed out until ${new Date(sanction.untilMillis).toISOString().slice(11, 16)} UTC.`;
}

function actedRuleIds({ matches }: Decision): string[] {
  const ids: string[] = [];
  for (const match of matches) if (!match.exempt && !ids.includes(match.ruleId)) ids.push(match.ruleId);
  return ids;
}

/** One object shape for every outcome (spreading into literals is slow on the hot path). */
function outcome(
  request: ReviewRequest | undefined,
  result: ReviewOutcome['result'],
  ruleIds: readonly string[],
  decision: Decision | undefined,
  response: ReviewResponse,
  failure?: string,
): ReviewOutcome {
  return {
    response,
    result,
    ruleIds,
    messageId: request?.messageId ?? '',
    roomArn: request?.roomArn ?? '',
    userId: request?.sender.userId ?? '',
    decision,
    failure,
    error: undefined,
  };
}

function failure(
  settings: ReviewSettings,
  problem: string,
  content: string | undefined,
  request: ReviewRequest | undefined,
): ReviewOutcome {
  if (settings.failureResult === 'DENY') {
    const response: ReviewResponse = {
      ReviewResult: 'DENY',
      Content: content ?? '',
      Attributes: { [ATTRIBUTE_REASON]: FAILURE_REASON },
    };
    return outcome(request, 'DENY', [], undefined, response, problem);
  }
  const response: ReviewResponse = {
    ReviewResult: 'ALLOW',
    Content: content ?? '',
    Attributes: withModerationAttributes(request?.attributes ?? {}, [[ATTRIBUTE_RESULT, 'unreviewed']]),
  };
  return outcome(request, 'ALLOW', [], undefined, response, problem);
}

/**
 * The attributes to deliver: the client's own (IVS replaces rather than
 * merges, so they are copied), minus any that impersonate ours, plus ours
 * while they fit the size budget.
 */
function withModerationAttributes(
  client: Readonly<Record<string, string>>,
  ours: readonly (readonly [string, string])[],
): Record<string, string> {
  if (ours.length === 0 && isEmpty(client)) return {};
  const kept = Object.entries(client).filter(([key]) => !key.startsWith(MODERATION_ATTRIBUTE_PREFIX));
  let bytes = kept.reduce(
    (total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  for (const [key, value] of ours) {
    const size = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes + size > ATTRIBUTE_BUDGET_BYTES) break;
    kept.push([key, value]);
    bytes += size;
  }
  return Object.fromEntries(kept);
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return false;
  return true;
}
