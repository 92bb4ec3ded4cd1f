import type { HeldMessage } from '../moderation/held-message.js';

/**
 * Held messages in the enforcement table, one partition per room:
 *
 * | pk               | sk              | attributes                                                          |
 * |------------------|-----------------|---------------------------------------------------------------------|
 * | `HELD#<roomArn>` | `MSG#<messageId>` | the HeldMessage's fields, and expiresAt (epoch seconds, DynamoDB's TTL) |
 */
export const heldKey = (roomArn: string) => `HELD#${roomArn}`;
export const heldMessageKey = (messageId: string) => `MSG#${messageId}`;

/** The item, in DynamoDB's JSON: the review function writes it without the SDK. */
export function heldMessageDynamoItem(held: HeldMessage): Record<string, unknown> {
  const map = (values: Readonly<Record<string, string>>) => ({
    M: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { S: value }])),
  });
  return {
    pk: { S: heldKey(held.roomArn) },
    sk: { S: heldMessageKey(held.messageId) },
    roomArn: { S: held.roomArn },
    messageId: { S: held.messageId },
    userId: { S: held.userId },
    content: { S: held.content },
    attributes: map(held.attributes),
    senderAttributes: map(held.senderAttributes),
    ruleIds: { L: held.ruleIds.map((id) => ({ S: id })) },
    reason: { S: held.reason },
    heldAtMillis: { N: String(held.heldAtMillis) },
    expiresAtMillis: { N: String(held.expiresAtMillis) },
    expiresAt: { N: String(Math.ceil(held.expiresAtMillis / 1000)) },
  };
}
