import { gunzipSync } from 'node:zlib';
import { describeValue } from '../config/raw-document.js';
import { isRecord } from '../guards.js';

/**
 * The envelopes chat log records arrive in: a CloudWatch Logs subscription
 * event (gzip + base64 JSON) and Firehose transformation records (base64,
 * one or more JSON records per record). Decompression is capped, so a
 * hostile or broken payload cannot exhaust the function's memory.
 */

/** Far above any real batch: a Lambda event is at most 6 MB, and chat log records are small. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface RejectedLogEvent {
  /** The entry's id, or `logEvents[<index>]` when it has none. */
  readonly logEventId: string;
  readonly reason: string;
}

export type SubscriptionEnvelope =
  /** CloudWatch Logs checking the destination is reachable: acknowledge, process nothing. */
  | { readonly kind: 'control' }
  | {
      readonly kind: 'data';
      /** The account the log group belongs to: with the room id and region, the room's ARN. */
      readonly owner: string;
      readonly logGroup: string;
      readonly logStream: string;
      /** From the log stream `aws/IVSChatLogs/1.0/room_<id>`; undefined when the stream is not an IVS chat log stream. */
      readonly roomId: string | undefined;
      readonly logEvents: readonly LogEvent[];
      /** Entries that are not `{id, timestamp, message}`: reported, so one costs only itself. */
      readonly rejected: readonly RejectedLogEvent[];
    }
  | { readonly kind: 'invalid'; readonly reason: string };

const ROOM_STREAM = /^aws\/IVSChatLogs\/[^/]+\/room_([A-Za-z0-9]+)$/;

/** The room id a chat log stream names. */
export function roomIdOfLogStream(logStream: string): string | undefined {
  return ROOM_STREAM.exec(logStream)?.[1];
}

/** base64 → gunzip (capped) → text, or why not. */
export function gunzipBase64(data: string, maxBytes: number): { text: string } | { error: string } {
  const decoded = gunzipBase64Bytes(data, maxBytes);
  return 'error' in decoded ? decoded : { text: decoded.bytes.toString('utf8') };
}

/** base64 → gunzip (capped) → bytes, or why not. */
export function gunzipBase64Bytes(data: string, maxBytes: number): { bytes: Buffer } | { error: string } {
  const compressed = Buffer.from(data, 'base64');
  try {
    const options = { maxOutputLength: maxBytes, chunkSize: outputChunkSize(compressed, maxBytes) };
    return { bytes: gunzipSync(compressed, options) };
  } catch (error) {
    if (error instanceof RangeError) return { error: `decompresses to more than ${maxBytes} bytes` };
    return { error: `not gzip: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** zlib's default output chunk, and its least. */
const DEFAULT_CHUNK = 16 * 1024;

/**
 * One output chunk for the whole text, sized by the gzip trailer (the size modulo 2^32): in 16 KiB
 * chunks a batch of megabytes was hundreds of chunks, then a copy joining them. Only a hint: a wrong
 * trailer costs chunks or spare room, never more than the cap; the cap is still zlib's to enforce.
 */
function outputChunkSize(compressed: Buffer, maxBytes: number): number {
  if (compressed.length < 18) return DEFAULT_CHUNK;
  const size = compressed.readUInt32LE(compressed.length - 4);
  // One byte over: a chunk filled exactly leaves zlib asking for another.
  return Math.max(DEFAULT_CHUNK, Math.min(size + 1, maxBytes + 1));
}

export function decodeSubscriptionEvent(
  event: unknown,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): SubscriptionEnvelope {
  const body = subscriptionEventBody(event, maxDecompressedBytes);
  return 'bytes' in body ? parseSubscriptionBody(body.bytes.toString('utf8')) : body;
}

/** A subscription event's body, gunzipped (capped), or why it has none. */
export function subscriptionEventBody(
  event: unknown,
  maxDecompressedBytes: number,
): { readonly bytes: Buffer } | { readonly kind: 'invalid'; readonly reason: string } {
  if (!isRecord(event) || !isRecord(event.awslogs) || typeof event.awslogs.data !== 'string') {
    return { kind: 'invalid', reason: 'not a CloudWatch Logs subscription event (no awslogs.data)' };
  }
  const decoded = gunzipBase64Bytes(event.awslogs.data, maxDecompressedBytes);
  return 'error' in decoded ? { kind: 'invalid', reason: `awslogs.data ${decoded.error}` } : decoded;
}

/** The decoded (gunzipped) JSON of a subscription event. */
export function parseSubscriptionBody(text: string): SubscriptionEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'awslogs.data is not JSON' };
  }
  if (!isRecord(body)) return { kind: 'invalid', reason: 'awslogs.data is not an object' };
  if (body.messageType === 'CONTROL_MESSAGE') return { kind: 'control' };
  if (body.messageType !== 'DATA_MESSAGE') {
    return { kind: 'invalid', reason: `unknown messageType ${describeValue(body.messageType)}` };
  }
  const { owner, logGroup, logStream, logEvents } = body;
  if (
    typeof owner !== 'string' ||
    typeof logGroup !== 'string' ||
    typeof logStream !== 'string' ||
    !Array.isArray(logEvents)
  ) {
    return { kind: 'invalid', reason: 'DATA_MESSAGE without owner, logGroup, logStream or logEvents' };
  }
  const events: LogEvent[] = [];
  const rejected: RejectedLogEvent[] = [];
  for (let index = 0; index < logEvents.length; index++) {
    const entry: unknown = logEvents[index];
    if (
      !isRecord(entry) ||
      typeof entry.id !== 'string' ||
      typeof entry.timestamp !== 'number' ||
      typeof entry.message !== 'string'
    ) {
      const logEventId = isRecord(entry) && typeof entry.id === 'string' ? entry.id : `logEvents[${index}]`;
      rejected.push({ logEventId, reason: 'not a log event {id, timestamp, message}' });
      continue;
    }
    events.push({ id: entry.id, timestamp: entry.timestamp, message: entry.message });
  }
  return {
    kind: 'data',
    owner,
    logGroup,
    logStream,
    roomId: roomIdOfLogStream(logStream),
    logEvents: events,
    rejected,
  };
}

export interface FirehoseRecord {
  readonly recordId: string;
  readonly approximateArrivalTimestamp: number;
  readonly data: string;
}

export type FirehoseBatch =
  | {
      readonly ok: true;
      readonly invocationId: string;
      readonly deliveryStreamArn: string;
      readonly records: readonly FirehoseRecord[];
    }
  | { readonly ok: false; readonly reason: string };

export function parseFirehoseEvent(event: unknown): FirehoseBatch {
  if (!isRecord(event) || !Array.isArray(event.records))
    return { ok: false, reason: 'not a Firehose event (no records)' };
  const { invocationId, deliveryStreamArn } = event;
  if (typeof invocationId !== 'string' || typeof deliveryStreamArn !== 'string') {
    return { ok: false, reason: 'Firehose event without invocationId or deliveryStreamArn' };
  }
  const records: FirehoseRecord[] = [];
  for (const [index, entry] of event.records.entries()) {
    if (!isRecord(entry) || typeof entry.recordId !== 'string' || typeof entry.data !== 'string') {
      return { ok: false, reason: `records[${index}] has no recordId or data` };
    }
    const arrival =
      typeof entry.approximateArrivalTimestamp === 'number' ? entry.approximateArrivalTimestamp : 0;
    records.push({ recordId: entry.recordId, approximateArrivalTimestamp: arrival, data: entry.data });
  }
  return { ok: true, invocationId, deliveryStreamArn, records };
}

/**
 * The chat log lines in one Firehose record. Direct IVS → Firehose framing is undocumented, so this reads it
 * defensively: gzip (a CloudWatch Logs subscription feeding Firehose) or plain text, one record per non-empty line.
 */
export function firehoseRecordLines(
  data: string,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): { lines: readonly string[]; room?: { owner: string; roomId: string } } | { error: string } {
  const bytes = Buffer.from(data, 'base64');
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (gzipped) {
    const decoded = gunzipBase64(data, maxDecompressedBytes);
    if ('error' in decoded) return { error: decoded.error };
    const envelope = parseSubscriptionBody(decoded.text);
    if (envelope.kind === 'data') {
      // The record is the unit a Firehose reply answers: a bad entry fails it whole, rather than vanish from it.
      const [bad] = envelope.rejected;
      if (bad !== undefined) return { error: `${bad.logEventId} is ${bad.reason}` };
      const lines = envelope.logEvents.map((event) => event.message);
      // Fed by the chat log group's subscription: the log stream names the room, as for the Lambda consumer.
      return envelope.roomId === undefined
        ? { lines }
        : { lines, room: { owner: envelope.owner, roomId: envelope.roomId } };
    }
    if (envelope.kind === 'control') return { lines: [] };
    return { lines: splitLines(decoded.text) };
  }
  if (bytes.length > maxDecompressedBytes) return { error: `larger than ${maxDecompressedBytes} bytes` };
  return { lines: splitLines(bytes.toString('utf8')) };
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}
