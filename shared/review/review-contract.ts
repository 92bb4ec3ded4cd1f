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
  /** `request` keeps what could be read (identifiers for the logs) with empty content. */
  | { readonly ok: false; readonly problem: string; readonly request: ReviewRequest | undefined };

/** Parses an IVS review event. Never throws; a request without string content is malformed. */
export function parseReviewRequest(event: unknown): ParsedReviewRequest {
  if (!isRecord(event)) return { ok: false, problem: 'event is not an object', request: undefined };
  const sender = isRecord(event.Sender) ? event.Sender : {};
  const request: ReviewRequest = {
    content: typeof event.Content === 'string' ? event.Content : '',
    messageId: typeof event.MessageId === 'string' ? event.MessageId : '',
    roomArn: typeof event.RoomArn === 'string' ? event.RoomArn : '',
    attributes: stringRecord(event.Attributes),
    sender: {
      userId: typeof sender.UserId === 'string' ? sender.UserId : '',
      attributes: stringRecord(sender.Attributes),
    },
  };
  if (typeof event.Content !== 'string') return { ok: false, problem: 'Content is not a string', request };
  return { ok: true, request };
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
