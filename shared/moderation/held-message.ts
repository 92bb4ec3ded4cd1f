import { isRecord, isStringMap } from '../guards.js';

/**
 * A message a `hold` rule kept from the room: stored by the review function,
 * listed for moderators, and delivered (as an `app:approved-message` event)
 * when one approves it. Its content is personal data: it is kept only until
 * `expiresAtMillis` (the stage's retention), then DynamoDB's TTL removes it.
 */
export interface HeldMessage {
  readonly roomArn: string;
  readonly messageId: string;
  readonly userId: string;
  readonly content: string;
  /** The message's own attributes, as the client sent them. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The sender's server-minted attributes (role, display name). */
  readonly senderAttributes: Readonly<Record<string, string>>;
  readonly ruleIds: readonly string[];
  readonly reason: string;
  readonly heldAtMillis: number;
  readonly expiresAtMillis: number;
}

/** The event an approved message reaches the room as; clients render it like a message. */
export const APPROVED_MESSAGE_EVENT = 'app:approved-message';

/** SendEvent attributes for an approved message (IVS allows 1 KB; content is at most 500 code points). */
export function approvedMessageAttributes(held: HeldMessage): Record<string, string> {
  return { messageId: held.messageId, userId: held.userId, content: held.content };
}

/** A stored item as a held message, or what is wrong with it. */
export function parseHeldMessage(item: unknown): HeldMessage | string {
  if (!isRecord(item)) return 'not an item';
  const {
    roomArn,
    messageId,
    userId,
    content,
    attributes,
    senderAttributes,
    ruleIds,
    reason,
    heldAtMillis,
    expiresAtMillis,
  } = item;
  if (typeof roomArn !== 'string' || typeof messageId !== 'string' || typeof userId !== 'string')
    return 'ids missing';
  if (typeof content !== 'string' || typeof reason !== 'string') return 'content or reason missing';
  if (typeof heldAtMillis !== 'number' || typeof expiresAtMillis !== 'number') return 'times missing';
  if (!isStringMap(attributes) || !isStringMap(senderAttributes)) return 'attributes are not string maps';
  if (!Array.isArray(ruleIds) || !ruleIds.every((id): id is string => typeof id === 'string'))
    return 'ruleIds';
  return {
    roomArn,
    messageId,
    userId,
    content,
    attributes,
    senderAttributes,
    ruleIds,
    reason,
    heldAtMillis,
    expiresAtMillis,
  };
}
