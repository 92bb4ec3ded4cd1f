import type { LoggedMessage } from '../chat-logs/chat-log-record.js';
import { parseChatLogRecord } from '../chat-logs/chat-log-record.js';
import { firehoseRecordLines, parseFirehoseEvent } from '../chat-logs/log-envelopes.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import { evaluateMessage } from '../rules/evaluate.js';
import type { ModerationDeps, RoomModeration } from './moderate-batch.js';
import { moderateRoomBatch } from './moderate-batch.js';
import type { MessageOutcome } from './plan-enforcement.js';

/**
 * A Kinesis Data Firehose transformation batch of IVS chat logs: every
 * record comes back with its recordId — Ok with the archive's copy (each chat
 * log record annotated with its verdict, what moderation removed redacted),
 * or ProcessingFailed, unchanged, when it holds anything that is not a chat
 * log record. Where the room is known the batch is also enforced, as the
 * CloudWatch consumer does.
 *
 * The room: IVS's direct Firehose records carry no room id. A stream fed by
 * the chat log group's subscription (gzip CloudWatch envelopes) names it in
 * the log stream, and a stream dedicated to one room can be given it
 * (`defaultRoomArn`). Without either, records are archived and annotated
 * with the policy's verdict, and nothing is enforced.
 */

export interface FirehoseOutputRecord {
  readonly recordId: string;
  readonly result: 'Ok' | 'ProcessingFailed';
  readonly data: string;
}

export type FirehoseModeration =
  | { readonly kind: 'invalid'; readonly reason: string }
  | {
      readonly kind: 'transformed';
      readonly records: readonly FirehoseOutputRecord[];
      readonly failed: readonly { readonly recordId: string; readonly reason: string }[];
      readonly rooms: readonly RoomModeration[];
    };

interface ParsedRecord {
  readonly recordId: string;
  readonly data: string;
  readonly roomArn: string | undefined;
  readonly lines: readonly { readonly value: unknown; readonly message?: LoggedMessage }[];
}

export async function moderateFirehoseBatch(
  event: unknown,
  region: string,
  deps: ModerationDeps,
  defaultRoomArn?: string,
): Promise<FirehoseModeration> {
  const batch = parseFirehoseEvent(event);
  if (!batch.ok) return { kind: 'invalid', reason: batch.reason };
  const parsed: ParsedRecord[] = [];
  const failed: { recordId: string; reason: string }[] = [];
  for (const record of batch.records) {
    const read = firehoseRecordLines(record.data);
    if ('error' in read) {
      failed.push({ recordId: record.recordId, reason: read.error });
      continue;
    }
    const lines: { value: unknown; message?: LoggedMessage }[] = [];
    let problem: string | undefined;
    for (const line of read.lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problem = 'not JSON';
        break;
      }
      const result = parseChatLogRecord(value);
      if (!result.ok) {
        problem = result.reason;
        break;
      }
      // The parsed value is kept as written, so the archive keeps every field IVS wrote.
      lines.push(result.record.type === 'MESSAGE' ? { value, message: result.record } : { value });
    }
    if (problem !== undefined) {
      failed.push({ recordId: record.recordId, reason: problem });
      continue;
    }
    const roomArn =
      read.room === undefined
        ? defaultRoomArn
        : `arn:aws:ivschat:${region}:${read.room.owner}:room/${read.room.roomId}`;
    parsed.push({ recordId: record.recordId, data: record.data, roomArn, lines });
  }

  const rooms: RoomModeration[] = [];
  const outcomes = new Map<string, MessageOutcome>();
  const policies = new Map<string, CompiledPolicy>();
  for (const [roomArn, messages] of byRoom(parsed)) {
    const room = await moderateRoomBatch(roomArn, messages, deps);
    rooms.push(room);
    policies.set(roomArn, room.policy);
    for (const outcome of room.plan.outcomes) outcomes.set(outcome.messageId, outcome);
  }

  const parsedById = new Map(parsed.map((entry) => [entry.recordId, entry]));
  const records = batch.records.map((record): FirehoseOutputRecord => {
    const done = parsedById.get(record.recordId);
    if (done === undefined) {
      return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
    }
    // A record of no known room is archived under the stage's policy; it is not enforced.
    const policy = (done.roomArn === undefined ? undefined : policies.get(done.roomArn)) ?? deps.policy;
    const archived = done.lines.map(({ value, message }) => archive(value, message, outcomes, policy));
    let text: string;
    try {
      text = archived.map((line) => `${JSON.stringify(line)}\n`).join('');
    } catch (error) {
      // JSON.parse reads any depth, JSON.stringify does not (a RangeError): the record fails, not the batch.
      failed.push({ recordId: record.recordId, reason: `cannot be archived: ${errorMessage(error)}` });
      return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
    }
    return { recordId: record.recordId, result: 'Ok', data: Buffer.from(text).toString('base64') };
  });
  return { kind: 'transformed', records, failed, rooms };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function byRoom(records: readonly ParsedRecord[]): Map<string, LoggedMessage[]> {
  const rooms = new Map<string, LoggedMessage[]>();
  for (const { roomArn, lines } of records) {
    if (roomArn === undefined) continue;
    const messages = rooms.get(roomArn) ?? [];
    for (const { message } of lines) if (message !== undefined) messages.push(message);
    rooms.set(roomArn, messages);
  }
  return rooms;
}

/**
 * The archive's copy of one chat log record: the record as IVS wrote it plus `moderation` (the policy's
 * verdict, the rules broken after delivery, whether it was deleted), with the content redacted when moderation
 * removed it: masked as review would have masked it, or emptied when it was denied or deleted.
 */
function archive(
  value: unknown,
  message: LoggedMessage | undefined,
  outcomes: ReadonlyMap<string, MessageOutcome>,
  policy: CompiledPolicy,
): unknown {
  if (message === undefined || typeof value !== 'object' || value === null) return value;
  const outcome = outcomes.get(message.id);
  const decision = outcome?.decision ?? evaluateMessage(message.content, message.sender.attributes, policy);
  const deleted = outcome?.deleted === true;
  // Denied at review means it should never have been seen, deleted or not: a replay must not show it either.
  const content =
    deleted || decision.verdict === 'deny' || decision.verdict === 'hold'
      ? ''
      : decision.verdict === 'mask'
        ? decision.content
        : message.content;
  const payload =
    'payload' in value && typeof value.payload === 'object' && value.payload !== null ? value.payload : {};
  return {
    ...value,
    payload: { ...payload, Content: content },
    moderation: {
      verdict: decision.verdict,
      ruleIds: [
        ...new Set([
          ...decision.matches.filter((match) => !match.exempt).map((match) => match.ruleId),
          ...(outcome?.ruleIds ?? []),
        ]),
      ],
      deleted,
      redacted: content !== message.content,
    },
  };
}
