import { isRecord } from '../guards.js';

/**
 * The IVS Chat message review request, as IVS sends it:
 * `{ Content, MessageId, RoomArn, Attributes, Sender: { UserId, Attributes, Ip } }`.
 * Only `Content` is essential; every other field is read defensively.
 */
export interface ReviewRequest {
  readonly content: string;
  readonly messageId: string;
  readonly roomArn: string;
  /** Client-supplied message attributes: untrusted, passed through, never used for decisions. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly sender: {
    readonly userId: string;
    /** Server-minted at CreateChatToken: the only input exemptions read. */
    readonly attributes: Readonly<Record<string, string>>;
  };
}

/** `{ ReviewResult, Content, Attributes }`; a DENY carries `Attributes.Reason`, which the sender sees. */
export interface ReviewResponse {
  ReviewResult: 'ALLOW' | 'DENY';
  Content: string;
  Attributes: Record<string, string>;
}

export type ParsedReviewRequest =
  | { readonly ok: true; readonly request: ReviewRequest }
  | { readonly ok: false; readonly problem: string; readonly content: string | undefined };

/** Parses an IVS review event. Never throws; a request without string content is malformed. */
export function parseReviewRequest(event: unknown): ParsedReviewRequest {
  if (!isRecord(event)) return { ok: false, problem: 'event is not an object', content: undefined };
  const content = event.Content;
  if (typeof content !== 'string')
    return { ok: false, problem: 'Content is not a string', content: undefined };
  const sender = isRecord(event.Sender) ? event.Sender : {};
  return {
    ok: true,
    request: {
      content,
      messageId: typeof event.MessageId === 'string' ? event.MessageId : '',
      roomArn: typeof event.RoomArn === 'string' ? event.RoomArn : '',
      attributes: stringRecord(event.Attributes),
      sender: {
        userId: typeof sender.UserId === 'string' ? sender.UserId : '',
        attributes: stringRecord(sender.Attributes),
      },
    },
  };
}

/**
 * The string-valued entries of an attribute map. Built with Object.fromEntries
 * so a key such as `__proto__` stays an ordinary own property.
 */
function stringRecord(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return EMPTY;
  const entries = Object.entries(value);
  if (entries.length === 0) return EMPTY;
  return Object.fromEntries(
    entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
