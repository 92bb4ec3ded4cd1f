import { normalizeTransient } from '../normalization/normalize.js';
import type { DuplicateLimit, FloodLimit } from '../policy/policy-document.js';

/**
 * Floods and duplicates across messages: one user's recent messages in one
 * room, which the consumers keep between batches (DynamoDB with a TTL), and
 * what one more message does to them. Pure: the store is someone else's.
 */

export interface RecentMessage {
  readonly messageId: string;
  readonly atMillis: number;
  /** The normalized content's hash: "HELLO" and "hello​" repeat one message. */
  readonly fingerprint: string;
}

export interface ActivityLimits {
  readonly flood: FloodLimit | undefined;
  readonly duplicates: DuplicateLimit | undefined;
}

export interface ActivityVerdict {
  /** More than flood.maxMessages within flood.windowSeconds, this message included. */
  readonly flood: boolean;
  /** More than duplicates.maxRepeats of this message within duplicates.windowSeconds, this one included. */
  readonly duplicate: boolean;
  /**
   * This message went over a limit, or kept a burst going for another limit's worth: a burst earns a strike
   * per limit's worth of excess, not one per message.
   */
  readonly crossed: boolean;
  /** What to keep: the messages still inside the longest window, ordered by time, at most MAX_KEPT. */
  readonly recent: readonly RecentMessage[];
}

/** Enough for any flood limit a policy can set (1,000) plus the message that crosses it. */
export const MAX_KEPT = 1_001;

export function recordMessage(
  recent: readonly RecentMessage[],
  message: RecentMessage,
  limits: ActivityLimits,
): ActivityVerdict {
  // A redelivered batch brings the same message again: it must not count twice.
  if (recent.some((kept) => kept.messageId === message.messageId)) {
    return { flood: false, duplicate: false, crossed: false, recent };
  }
  const longestWindowMillis =
    1000 * Math.max(limits.flood?.windowSeconds ?? 0, limits.duplicates?.windowSeconds ?? 0);
  // Batches can arrive out of order: keep time order, and age out by the newest message seen.
  const merged = [...recent, message].sort((a, b) => a.atMillis - b.atMillis);
  const newest = merged[merged.length - 1]?.atMillis ?? message.atMillis;
  const kept = merged.filter((entry) => entry.atMillis > newest - longestWindowMillis).slice(-MAX_KEPT);
  const within = (seconds: number) =>
    kept.filter(
      (entry) => entry.atMillis > message.atMillis - 1000 * seconds && entry.atMillis <= message.atMillis,
    );
  const floodCount = limits.flood === undefined ? 0 : within(limits.flood.windowSeconds).length;
  const repeatCount =
    limits.duplicates === undefined
      ? 0
      : within(limits.duplicates.windowSeconds).filter((entry) => entry.fingerprint === message.fingerprint)
          .length;
  const flood = limits.flood !== undefined && floodCount > limits.flood.maxMessages;
  const duplicate = limits.duplicates !== undefined && repeatCount > limits.duplicates.maxRepeats;
  // Over by one, and again every time the burst goes on for as much again: one strike per limit's worth.
  const crossing = (count: number, limit: number) => count > limit && (count - limit - 1) % (limit + 1) === 0;
  const crossed =
    (limits.flood !== undefined && crossing(floodCount, limits.flood.maxMessages)) ||
    (limits.duplicates !== undefined && crossing(repeatCount, limits.duplicates.maxRepeats));
  return { flood, duplicate, crossed, recent: kept };
}

/**
 * A 64-bit hash of the normalized content (FNV-1a in two 32-bit lanes, leading and trailing spaces left out), as
 * hex: small to store, equal for messages that read the same. Two lanes of Math.imul rather than a BigInt: the
 * consumers hash every logged message, and BigInt arithmetic made this their most expensive step.
 */
export function fingerprint(content: string): string {
  const { buffer, length } = normalizeTransient(content);
  let start = 0;
  let end = length;
  while (start < end && buffer[start] === 0x20) start++;
  while (end > start && buffer[end - 1] === 0x20) end--;
  let low = 0x811c9dc5;
  let high = 0xcbf29ce4;
  for (let index = start; index < end; index++) {
    const unit = buffer[index] ?? 0;
    low = Math.imul(low ^ unit, 0x01000193);
    high = Math.imul(high ^ unit ^ (low >>> 16), 0x01000193);
  }
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}
