import type { LoggedMessage } from '../chat-logs/chat-log-record.js';
import { readChatLogEvent } from '../chat-logs/read-chat-log-event.js';
import type { ModerationDeps, RoomModeration } from './moderate-batch.js';
import { moderateRoomBatch } from './moderate-batch.js';

/**
 * A CloudWatch Logs subscription event of IVS chat logs, moderated: decoded
 * (capped), each record parsed on its own so one bad record costs only
 * itself, the room recovered from the log stream, the messages enforced.
 * Returns what happened, for the handler to log and count; never throws for
 * bad input, only when enforcement itself fails (so the invocation is retried).
 */

export interface LogEventModeration {
  readonly kind: 'control' | 'invalid' | 'moderated';
  /** Why the envelope was refused, for `invalid`. */
  readonly reason?: string;
  readonly records: number;
  /** Records that are not chat log records, with why: reported, never silently dropped. */
  readonly rejected: readonly { readonly logEventId: string; readonly reason: string }[];
  readonly room?: RoomModeration;
}

export async function moderateLogEvent(
  event: unknown,
  region: string,
  deps: ModerationDeps,
  maxDecompressedBytes?: number,
): Promise<LogEventModeration> {
  const envelope = readChatLogEvent(event, maxDecompressedBytes);
  if (envelope.kind === 'control') return { kind: 'control', records: 0, rejected: [] };
  if (envelope.kind === 'invalid')
    return { kind: 'invalid', reason: envelope.reason, records: 0, rejected: [] };
  const rejected: { logEventId: string; reason: string }[] = [...envelope.rejected];
  const messages: LoggedMessage[] = [];
  for (const { logEventId, parsed } of envelope.records) {
    if (!parsed.ok) rejected.push({ logEventId, reason: parsed.reason });
    else if (parsed.record.type === 'MESSAGE') messages.push(parsed.record);
  }
  const records = envelope.records.length + envelope.rejected.length;
  if (envelope.roomId === undefined) {
    return {
      kind: 'invalid',
      reason: `log stream "${envelope.logStream}" names no IVS chat room`,
      records,
      rejected,
    };
  }
  const roomArn = `arn:aws:ivschat:${region}:${envelope.owner}:room/${envelope.roomId}`;
  const room = await moderateRoomBatch(roomArn, messages, deps);
  return { kind: 'moderated', records, rejected, room };
}
