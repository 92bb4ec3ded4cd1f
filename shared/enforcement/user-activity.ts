import type { NormalizedText } from '../normalization/normalize.js';
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
  /**
   * The message was recorded already (a redelivered batch): `recent` is unchanged, `crossed` false, and `flood`
   * and `duplicate` say what it was then, counted again over what is kept.
   */
  readonly seen: boolean;
}

/** Enough for any flood limit a policy can set (1,000) plus the message that crosses it. */
export const MAX_KEPT = 1_001;

export function recordMessage(
  recent: readonly RecentMessage[],
  message: RecentMessage,
  limits: ActivityLimits,
): ActivityVerdict {
  // One pass over what is kept: a redelivered message, and where the new one goes if the rest is in time order.
  let previous = Number.NEGATIVE_INFINITY;
  let position = recent.length;
  let ordered = !Number.isNaN(message.atMillis);
  for (let index = 0; index < recent.length; index++) {
    const kept = recent[index];
    if (kept === undefined) continue;
    // A redelivered batch brings the same message again: it must not count twice.
    if (kept.messageId === message.messageId) {
      const counts = countAround(recent, kept, limits);
      return {
        flood: isFlood(counts, limits),
        duplicate: isDuplicate(counts, limits),
        crossed: false,
        recent,
        seen: true,
      };
    }
    if (!(kept.atMillis >= previous)) ordered = false;
    previous = kept.atMillis;
    if (position === recent.length && kept.atMillis > message.atMillis) position = index;
  }
  const longestWindowMillis =
    1000 * Math.max(limits.flood?.windowSeconds ?? 0, limits.duplicates?.windowSeconds ?? 0);
  const kept = ordered
    ? insertInOrder(recent, message, position, longestWindowMillis)
    : sortAndTrim(recent, message, longestWindowMillis);
  const counts = countAround(kept, message, limits);
  const crossed =
    (limits.flood !== undefined && crossing(counts >>> COUNT_BITS, limits.flood.maxMessages)) ||
    (limits.duplicates !== undefined && crossing(counts & COUNT_MASK, limits.duplicates.maxRepeats));
  return {
    flood: isFlood(counts, limits),
    duplicate: isDuplicate(counts, limits),
    crossed,
    recent: kept,
    seen: false,
  };
}

/**
 * countAround() answers both counts in one small integer, the messages within the flood window above COUNT_BITS
 * and the repeats below: the consumers record every logged message, and an object per message showed in a batch's
 * garbage. Each count is at most MAX_KEPT.
 */
const COUNT_BITS = 12;
const COUNT_MASK = (1 << COUNT_BITS) - 1;

function isFlood(counts: number, limits: ActivityLimits): boolean {
  return limits.flood !== undefined && counts >>> COUNT_BITS > limits.flood.maxMessages;
}

function isDuplicate(counts: number, limits: ActivityLimits): boolean {
  return limits.duplicates !== undefined && (counts & COUNT_MASK) > limits.duplicates.maxRepeats;
}

/** Counts the messages of `kept` (which holds `message`) no later than it, within each limit's window. */
function countAround(kept: readonly RecentMessage[], message: RecentMessage, limits: ActivityLimits): number {
  // Counted in one loop over what is kept: every consumer records every message, so per-call closures and
  // filtered copies were a large share of a batch.
  const floodFrom = limits.flood === undefined ? 0 : message.atMillis - 1000 * limits.flood.windowSeconds;
  const repeatFrom =
    limits.duplicates === undefined ? 0 : message.atMillis - 1000 * limits.duplicates.windowSeconds;
  let floodCount = 0;
  let repeatCount = 0;
  for (const entry of kept) {
    if (entry.atMillis > message.atMillis) continue;
    if (entry.atMillis > floodFrom) floodCount++;
    if (entry.atMillis > repeatFrom && entry.fingerprint === message.fingerprint) repeatCount++;
  }
  if (limits.flood === undefined) floodCount = 0;
  if (limits.duplicates === undefined) repeatCount = 0;
  return (Math.min(floodCount, COUNT_MASK) << COUNT_BITS) | Math.min(repeatCount, COUNT_MASK);
}

/** Over by one, and again every time the burst goes on for as much again: one strike per limit's worth. */
function crossing(count: number, limit: number): boolean {
  return count > limit && (count - limit - 1) % (limit + 1) === 0;
}

/**
 * The common case, `recent` in time order: the message goes in after every message no later than it (where a
 * stable sort would put it), and what ages out is a prefix. Built in one array, without sorting.
 */
function insertInOrder(
  recent: readonly RecentMessage[],
  message: RecentMessage,
  position: number,
  longestWindowMillis: number,
): RecentMessage[] {
  // Indices below run over the merged list: recent with the message at `position`.
  const last = recent.length;
  const newest = position === last ? message.atMillis : (recent[last - 1]?.atMillis ?? message.atMillis);
  const from = newest - longestWindowMillis;
  let first = Math.max(0, last + 1 - MAX_KEPT);
  for (; first <= last; first++) {
    const entry = first < position ? recent[first] : first === position ? message : recent[first - 1];
    if (entry === undefined || entry.atMillis > from) break;
  }
  const kept: RecentMessage[] = [];
  for (let index = first; index <= last; index++) {
    const entry = index < position ? recent[index] : index === position ? message : recent[index - 1];
    if (entry !== undefined) kept.push(entry);
  }
  return kept;
}

/** Batches can arrive out of order: keep time order, and age out by the newest message seen. */
function sortAndTrim(
  recent: readonly RecentMessage[],
  message: RecentMessage,
  longestWindowMillis: number,
): RecentMessage[] {
  const merged = [...recent, message].sort((a, b) => a.atMillis - b.atMillis);
  const newest = merged[merged.length - 1]?.atMillis ?? message.atMillis;
  return merged.filter((entry) => entry.atMillis > newest - longestWindowMillis).slice(-MAX_KEPT);
}

/**
 * A 64-bit hash of the normalized content (FNV-1a in two 32-bit lanes, leading and trailing spaces left out), as
 * hex: small to store, equal for messages that read the same. Two lanes of Math.imul rather than a BigInt: the
 * consumers hash every logged message, and BigInt arithmetic made this their most expensive step.
 */
export function fingerprint(content: string): string {
  return fingerprintOf(normalizeTransient(content));
}

/**
 * fingerprint() of content normalized already (with or without a watch, which changes no unit): the consumers
 * normalize each message once, for this and for the re-check.
 */
export function fingerprintOf(normalized: NormalizedText): string {
  const { buffer, length } = normalized;
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
  return hex64(high, low);
}

const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/**
 * 16 hex digits, made in one call: toString(16), padStart and + made a cons string, which every
 * comparison of two fingerprints (the duplicate count) had to flatten first.
 */
function hex64(high: number, low: number): string {
  const digit = (word: number, shift: number) => HEX_DIGITS[(word >>> shift) & 0xf] ?? 0x30;
  return String.fromCharCode(
    digit(high, 28),
    digit(high, 24),
    digit(high, 20),
    digit(high, 16),
    digit(high, 12),
    digit(high, 8),
    digit(high, 4),
    digit(high, 0),
    digit(low, 28),
    digit(low, 24),
    digit(low, 20),
    digit(low, 16),
    digit(low, 12),
    digit(low, 8),
    digit(low, 4),
    digit(low, 0),
  );
}
