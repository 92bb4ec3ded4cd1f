import type { Sanction } from '../enforcement/escalation.js';
import { isRecord } from '../guards.js';

/**
 * The enforcement table's keys and its sanction item, without any SDK: the
 * DynamoDB store writes them and the review function's light reader
 * (sanction-reader.ts) reads them.
 */

export const roomKey = (roomArn: string) => `ROOM#${roomArn}`;
export const userKey = (userId: string) => `USER#${userId}`;
export const sanctionKey = (userId: string) => `SANCTION#${userId}`;

/** The sanction an item (attribute values already plain) holds, or what is wrong with it. */
export function parseSanction(item: unknown): Sanction | string {
  if (!isRecord(item)) return 'not an item';
  const { kind, reason, untilMillis } = item;
  if (typeof reason !== 'string') return 'reason is not a string';
  if (kind === 'ban') return { kind, reason };
  if (kind !== 'timeout') return 'kind is neither timeout nor ban';
  if (typeof untilMillis !== 'number' || !Number.isFinite(untilMillis)) return 'untilMillis is not a number';
  return { kind, untilMillis, reason };
}
