import type { CompiledPolicy } from '../rules/compile-policy.js';
import type { Decision } from '../rules/evaluate.js';
import { evaluateMessage } from '../rules/evaluate.js';
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

/** What happened, for logs and metrics: identifiers and rule ids, never content. */
export interface ReviewOutcome {
  readonly response: ReviewResponse;
  readonly result: 'ALLOW' | 'MASK' | 'DENY';
  readonly ruleIds: readonly string[];
  readonly messageId: string;
  readonly roomArn: string;
  readonly userId: string;
  readonly decision?: Decision;
  /** Set when the failure verdict was applied. */
  readonly failure?: string;
  readonly error?: unknown;
}

/**
 * Reviews one IVS message review event against a policy. Never throws: an
 * event it cannot review gets `settings.failureResult`.
 */
export function reviewMessage(
  event: unknown,
  policy: CompiledPolicy,
  settings: ReviewSettings,
): ReviewOutcome {
  const parsed = parseReviewRequest(event);
  if (!parsed.ok) return failure(settings, parsed.problem, parsed.content, undefined);
  const { request } = parsed;
  if (request.content.length > policy.document.settings.maxContentLength) {
    return failure(settings, 'content is longer than maxContentLength', request.content, request);
  }
  try {
    const decision = evaluateMessage(request.content, request.sender.attributes, policy);
    return fromDecision(request, decision);
  } catch (error) {
    return { ...failure(settings, 'internal error', request.content, request), error };
  }
}

function fromDecision(request: ReviewRequest, decision: Decision): ReviewOutcome {
  const ruleIds = [
    ...new Set(decision.matches.filter((match) => !match.exempt).map((match) => match.ruleId)),
  ];
  const ids = { messageId: request.messageId, roomArn: request.roomArn, userId: request.sender.userId };
  switch (decision.verdict) {
    case 'deny':
      return {
        ...ids,
        decision,
        result: 'DENY',
        ruleIds,
        response: {
          ReviewResult: 'DENY',
          Content: request.content,
          Attributes: { [ATTRIBUTE_REASON]: decision.reason, [ATTRIBUTE_RULES]: ruleIds.join(',') },
        },
      };
    case 'mask':
      return {
        ...ids,
        decision,
        result: 'MASK',
        ruleIds,
        response: {
          ReviewResult: 'ALLOW',
          Content: decision.content,
          Attributes: withModerationAttributes(request.attributes, [
            [ATTRIBUTE_RESULT, 'masked'],
            [ATTRIBUTE_RULES, ruleIds.join(',')],
          ]),
        },
      };
    case 'allow':
      return {
        ...ids,
        decision,
        result: 'ALLOW',
        ruleIds,
        response: {
          ReviewResult: 'ALLOW',
          Content: request.content,
          Attributes: withModerationAttributes(request.attributes, []),
        },
      };
  }
}

function failure(
  settings: ReviewSettings,
  problem: string,
  content: string | undefined,
  request: ReviewRequest | undefined,
): ReviewOutcome {
  const ids = {
    messageId: request?.messageId ?? '',
    roomArn: request?.roomArn ?? '',
    userId: request?.sender.userId ?? '',
  };
  if (settings.failureResult === 'DENY') {
    return {
      ...ids,
      result: 'DENY',
      ruleIds: [],
      failure: problem,
      response: {
        ReviewResult: 'DENY',
        Content: content ?? '',
        Attributes: { [ATTRIBUTE_REASON]: FAILURE_REASON },
      },
    };
  }
  return {
    ...ids,
    result: 'ALLOW',
    ruleIds: [],
    failure: problem,
    response: {
      ReviewResult: 'ALLOW',
      Content: content ?? '',
      Attributes: withModerationAttributes(request?.attributes ?? {}, [[ATTRIBUTE_RESULT, 'unreviewed']]),
    },
  };
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
