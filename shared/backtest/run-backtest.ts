import { parseChatLogRecord } from '../chat-logs/chat-log-record.js';
import { isRecord } from '../guards.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import { evaluateMessage } from '../rules/evaluate.js';
import type { ArchiveSource } from './archive-source.js';
import { isProcessingFailedKey, roomIdFromKey } from './archive-source.js';
import type { VerdictComparisonResult } from './compare-verdicts.js';
import { VerdictComparison } from './compare-verdicts.js';
import type { ReadLimits } from './read-archive.js';
import { isGzipKey, ObjectReadError, readObjectLines } from './read-archive.js';

/**
 * Replays an archive of IVS chat logs through a baseline and a candidate policy. Objects are read one at a time,
 * as streams; what is kept is counts, a capped list of where input was bad, and the comparison's capped examples.
 * Bad input never stops the run: a corrupt object, a line that is not JSON or not a chat log record is counted
 * with its place, and the replay goes on.
 */

export interface BacktestOptions {
  readonly baseline: CompiledPolicy;
  readonly candidate: CompiledPolicy;
  readonly limits: ReadLimits;
  /** Examples kept per (rule, change). */
  readonly examples: number;
}

/** The room of records whose key names none (Firehose archives). */
export const UNKNOWN_ROOM = '(unknown)';
export const REDACTED = 'redacted in the archive (denied or deleted)';
/** Places kept per problem reason, and failed objects kept: enough to find the bad input, bounded. */
const MAX_PLACES = 20;

export interface ProblemCount {
  readonly reason: string;
  readonly count: number;
  /** `key:line` of the first few. */
  readonly places: readonly string[];
}

export interface FailedObject {
  readonly key: string;
  /** Lines read (and replayed) before the failure. */
  readonly afterLine: number;
  readonly reason: string;
}

export interface BacktestReport {
  readonly archive: string;
  readonly objects: {
    readonly listed: number;
    readonly read: number;
    /** Firehose's processing-failed objects, which hold no chat log records. */
    readonly ignored: number;
    readonly failed: number;
    readonly failures: readonly FailedObject[];
  };
  /** Messages replayed, by room id. */
  readonly rooms: Readonly<Record<string, number>>;
  /** EVENT records: not messages, nothing to replay. */
  readonly events: number;
  /** Messages not replayed, by why. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Replayed messages whose logged content was already masked (at review, or by the archive). */
  readonly maskedContent: number;
  readonly invalid: { readonly count: number; readonly reasons: readonly ProblemCount[] };
  readonly comparison: VerdictComparisonResult;
}

/** The archive could not be listed: nothing, or not all of it, can be replayed. */
export class ArchiveListError extends Error {
  constructor(archive: string, reason: string, options?: ErrorOptions) {
    super(`cannot list ${archive}: ${reason}`, options);
    this.name = 'ArchiveListError';
  }
}

export async function runBacktest(source: ArchiveSource, options: BacktestOptions): Promise<BacktestReport> {
  const comparison = new VerdictComparison(options.examples);
  const rooms = new Map<string, number>();
  const skipped = new Map<string, number>();
  const invalid = new Map<string, { count: number; places: string[] }>();
  const failures: FailedObject[] = [];
  let listed = 0;
  let read = 0;
  let ignored = 0;
  let failed = 0;
  let events = 0;
  let maskedContent = 0;
  let invalidCount = 0;

  const problem = (reason: string, key: string, line: number) => {
    invalidCount += 1;
    const entry = invalid.get(reason) ?? { count: 0, places: [] };
    invalid.set(reason, entry);
    entry.count += 1;
    if (entry.places.length < MAX_PLACES) entry.places.push(`${key}:${line}`);
  };

  const replayLine = (key: string, roomId: string, line: number, text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem('not JSON', key, line);
      return;
    }
    const parsed = parseChatLogRecord(value);
    if (!parsed.ok) {
      problem(parsed.reason, key, line);
      return;
    }
    const { record } = parsed;
    if (record.type === 'EVENT') {
      events += 1;
      return;
    }
    const moderation = isRecord(value) && isRecord(value.moderation) ? value.moderation : undefined;
    const redacted = moderation?.redacted === true;
    // Our Firehose archive empties what was denied or deleted: replaying "" would report a clean message.
    if (redacted && record.content === '') {
      skipped.set(REDACTED, (skipped.get(REDACTED) ?? 0) + 1);
      return;
    }
    if (redacted || record.attributes['moderation.result'] === 'masked') maskedContent += 1;
    rooms.set(roomId, (rooms.get(roomId) ?? 0) + 1);
    comparison.add(
      { id: record.id, roomId, sendTime: record.sendTime.iso, content: record.content },
      evaluateMessage(record.content, record.sender.attributes, options.baseline),
      evaluateMessage(record.content, record.sender.attributes, options.candidate),
    );
  };

  const keys = source.listKeys()[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await keys.next();
    } catch (error) {
      throw new ArchiveListError(source.description, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    if (next.done === true) break;
    const key = next.value;
    listed += 1;
    if (isProcessingFailedKey(key)) {
      ignored += 1;
      continue;
    }
    const roomId = roomIdFromKey(key) ?? UNKNOWN_ROOM;
    try {
      const raw = await source.openObject(key).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ObjectReadError(`cannot be opened: ${reason}`, 0, { cause: error });
      });
      for await (const line of readObjectLines(raw, isGzipKey(key), options.limits)) {
        if ('tooLong' in line)
          problem(`line longer than ${options.limits.maxLineBytes} bytes`, key, line.line);
        else replayLine(key, roomId, line.line, line.text);
      }
      read += 1;
    } catch (error) {
      if (!(error instanceof ObjectReadError)) throw error;
      failed += 1;
      if (failures.length < MAX_PLACES)
        failures.push({ key, afterLine: error.afterLine, reason: error.message });
    }
  }

  return {
    archive: source.description,
    objects: { listed, read, ignored, failed, failures },
    rooms: Object.fromEntries([...rooms.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    events,
    skipped: Object.fromEntries(skipped),
    maskedContent,
    invalid: {
      count: invalidCount,
      reasons: [...invalid.entries()]
        .map(([reason, { count, places }]) => ({ reason, count, places }))
        .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    },
    comparison: comparison.result(),
  };
}
