import type { Context } from 'aws-lambda';
import { isRecord, isStringMap } from '../../shared/guards.js';
import { lambdaContext } from '../lambda-context.js';
import type { FallbackResult } from './chat-state.js';
import { attributesBytes, codePointLength, MAX_ATTRIBUTES_BYTES } from './client-requests.js';

/**
 * Calling a room's message review handler the way IVS does (contracts §1):
 * synchronously, with a hard deadline, applying the room's fallbackResult
 * when the handler is missing, slow, failing or answers something invalid.
 */

export type ReviewFunction = (event: unknown, context: Context) => Promise<unknown>;

/** IVS waits at most this long for a review handler; not adjustable (contracts §0.1). */
export const REVIEW_TIMEOUT_MS = 200;

/** The review request, exactly as IVS sends it (contracts §1.2). */
export interface ReviewEvent {
  readonly Content: string;
  readonly MessageId: string;
  readonly RoomArn: string;
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Sender: {
    readonly UserId: string;
    readonly Attributes: Readonly<Record<string, string>>;
    readonly Ip: string;
  };
}

export type ReviewVerdict =
  | {
      readonly result: 'ALLOW';
      readonly content: string;
      readonly attributes: Readonly<Record<string, string>>;
      /** Why the fallback was applied; undefined when the handler decided. */
      readonly fallbackCause?: string;
    }
  | { readonly result: 'DENY'; readonly reason: string | undefined; readonly fallbackCause?: string };

export interface ReviewCall {
  readonly event: ReviewEvent;
  readonly functionArn: string;
  /** The deployed function under functionArn, or undefined when none is. */
  readonly review: ReviewFunction | undefined;
  readonly fallbackResult: FallbackResult;
  readonly timeoutMs: number;
  /** The room's limit, which rewritten content must also respect. */
  readonly maximumMessageLength: number;
}

export async function reviewWithFallback(call: ReviewCall): Promise<ReviewVerdict> {
  const fallback = (cause: string): ReviewVerdict =>
    call.fallbackResult === 'ALLOW'
      ? {
          result: 'ALLOW',
          content: call.event.Content,
          attributes: call.event.Attributes,
          fallbackCause: cause,
        }
      : { result: 'DENY', reason: undefined, fallbackCause: cause };

  if (call.review === undefined) return fallback(`no function is deployed as ${call.functionArn}`);
  const reply = await invokeWithDeadline(
    call.review,
    call.event,
    functionName(call.functionArn),
    call.timeoutMs,
  );
  if (!reply.ok) return fallback(reply.cause);
  const verdict = readReviewReply(reply.value, call.maximumMessageLength);
  return typeof verdict === 'string' ? fallback(`invalid reply: ${verdict}`) : verdict;
}

type Invocation =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly cause: string };

async function invokeWithDeadline(
  review: ReviewFunction,
  event: ReviewEvent,
  name: string,
  timeoutMs: number,
): Promise<Invocation> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Invocation>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, cause: `timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  // Promise.resolve().then: a handler that throws synchronously is an error reply, not a crash.
  const invocation = Promise.resolve()
    .then(() => review(event, lambdaContext(name)))
    .then(
      (value): Invocation => ({ ok: true, value }),
      (error: unknown): Invocation => ({
        ok: false,
        cause: `failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
  try {
    return await Promise.race([invocation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`. */
export function functionName(functionArn: string): string {
  const afterFunction = functionArn.split(':function:')[1];
  return afterFunction?.split(':')[0] || functionArn;
}

/**
 * The handler's reply `{ReviewResult, Content, Attributes}` (contracts §1.3),
 * or what makes it invalid. An ALLOW must carry the Content to deliver, within
 * the room's length limit; returned Attributes replace the sender's (the
 * contract's guidance while merge-or-replace is unverified), so an ALLOW
 * without Attributes delivers none.
 */
export function readReviewReply(reply: unknown, maximumMessageLength: number): ReviewVerdict | string {
  if (!isRecord(reply)) return 'not an object';
  const { ReviewResult, Content, Attributes } = reply;
  if (ReviewResult !== 'ALLOW' && ReviewResult !== 'DENY') return 'ReviewResult is not ALLOW or DENY';
  if (Content !== undefined && typeof Content !== 'string') return 'Content is not a string';
  if (Attributes !== undefined && !isStringMap(Attributes)) return 'Attributes is not a map of strings';
  const attributes = Attributes === undefined ? {} : Object.fromEntries(Object.entries(Attributes));
  if (attributesBytes(attributes) > MAX_ATTRIBUTES_BYTES)
    return `Attributes exceed ${MAX_ATTRIBUTES_BYTES} bytes`;
  if (ReviewResult === 'DENY') return { result: 'DENY', reason: attributes.Reason };
  if (Content === undefined) return 'an ALLOW has no Content';
  if (codePointLength(Content) > maximumMessageLength) {
    return `Content is longer than the room's maximumMessageLength (${maximumMessageLength})`;
  }
  return { result: 'ALLOW', content: Content, attributes };
}
