import type { RecordParse } from './chat-log-record.js';
import { parseChatLogLine, parseChatLogRecord } from './chat-log-record.js';
import type { SubscriptionEnvelope } from './log-envelopes.js';
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  parseSubscriptionBody,
  roomIdOfLogStream,
  subscriptionEventBody,
} from './log-envelopes.js';
import {
  ESCAPED,
  EVENT_ID,
  EVENT_INTS,
  EVENT_MESSAGE,
  EVENT_SAME_CONTENT,
  EVENT_SAME_USER_ID,
  EVENT_STATUS,
  FIELD_ATTRIBUTES,
  FIELD_CONTENT,
  FIELD_EVENT_NAME,
  FIELD_EVENT_TIMESTAMP,
  FIELD_HAS_SENDER,
  FIELD_ID,
  FIELD_REQUEST_ID,
  FIELD_SEND_TIME,
  FIELD_SENDER_ATTRIBUTES,
  FIELD_TYPE,
  FIELD_USER_ID,
  HEADER_HAS_EVENTS,
  HEADER_LOG_GROUP,
  HEADER_LOG_STREAM,
  HEADER_MESSAGE_TYPE,
  HEADER_OWNER,
  HEADER_SCRATCH_END,
  INTERN_SLOT_BYTES,
  NON_ASCII,
  PAIR_INTS,
  REGULAR,
  SPAN_INTS,
} from './log-scan-layout.js';
import { LOG_SCAN_WASM } from './log-scan-wasm.js';

/**
 * A CloudWatch Logs subscription event of IVS chat logs, read into its records: what decodeSubscriptionEvent()
 * and then parseChatLogLine() on each log event's message make of it, the same answer, made faster. The body's
 * bytes are read by the WebAssembly decoder in log-scan.as.ts, which lists where the fields are, and only the
 * strings the consumer needs are made from them; whatever it leaves (a body or record that is not the regular
 * case) goes through JSON.parse as before. `readSubscriptionBodyInJs` is that reference, for the tests that hold
 * both to the same answers.
 */

export interface ChatLogEventRecord {
  readonly logEventId: string;
  readonly parsed: RecordParse;
}

type DataEnvelope = Extract<SubscriptionEnvelope, { readonly kind: 'data' }>;

/** A subscription envelope with each log event's record, or why it is not one, in the body's order. */
export type ChatLogBatch =
  | Exclude<SubscriptionEnvelope, DataEnvelope>
  | (Omit<DataEnvelope, 'logEvents'> & { readonly records: readonly ChatLogEventRecord[] });

export function readChatLogEvent(
  event: unknown,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): ChatLogBatch {
  const body = subscriptionEventBody(event, maxDecompressedBytes);
  return 'bytes' in body ? readSubscriptionBody(body.bytes) : body;
}

/** The gunzipped body's records: by the WebAssembly decoder where it can, else as readSubscriptionBodyInJs(). */
export function readSubscriptionBody(bytes: Buffer): ChatLogBatch {
  return scanSubscriptionBody(bytes) ?? readSubscriptionBodyInJs(bytes);
}

/** The WebAssembly decoder's reading, or undefined when it leaves the body to JSON.parse (or cannot run). */
export function scanSubscriptionBody(bytes: Buffer): ChatLogBatch | undefined {
  scanner ??= createScanner();
  return scanner?.read(bytes);
}

/** The reference: the body through JSON.parse, then each message through JSON.parse on its own. */
export function readSubscriptionBodyInJs(bytes: Buffer): ChatLogBatch {
  return recordsOf(parseSubscriptionBody(bytes.toString('utf8')));
}

function recordsOf(envelope: SubscriptionEnvelope): ChatLogBatch {
  if (envelope.kind !== 'data') return envelope;
  const { owner, logGroup, logStream, roomId, logEvents, rejected } = envelope;
  const records = logEvents.map((logEvent) => ({
    logEventId: logEvent.id,
    parsed: parseChatLogLine(logEvent.message),
  }));
  return { kind: 'data', owner, logGroup, logStream, roomId, records, rejected };
}

const PAGE_BYTES = 0x10000;
const HEADER_AT = 0;
const STACK_AT = 64;
const INPUT_AT = 512;
/** Past each region: the decoder reads and writes up to 16 bytes at a time near its end. */
const SLACK = 32;
/** The least bytes a log event takes in the body (`{"id":"","timestamp":0,"message":""},`). */
const LEAST_EVENT_BYTES = 32;
/** More log events than a subscription delivers: a body with more goes through JSON.parse. */
const MAX_EVENTS = 20_000;
/** Attribute pairs per event, on average, before a record's go through JSON.parse. */
const PAIRS_PER_EVENT = 8;

type ScanPass = (...parameters: number[]) => unknown;

const RECORD_TYPES = ['MESSAGE', 'EVENT'] as const;

/** What parseChatLogRecord() reads of a record, as JSON.parse makes it: undefined where absent. */
interface ParsedRecordShape {
  event_timestamp: string | undefined;
  type: string | undefined;
  readonly payload: {
    Id: string | undefined;
    RequestId: string | undefined;
    Attributes: Record<string, string> | undefined;
    Content: string | undefined;
    SendTime: string | undefined;
    EventName: string | undefined;
    Sender: { UserId: string | undefined; Attributes: Record<string, string> | undefined } | undefined;
  };
}

class LogScanner {
  private readonly memory: WebAssembly.Memory;
  private readonly scan: ScanPass;
  private buffer: Buffer;
  private ints: Int32Array;
  private readonly sender: ParsedRecordShape['payload']['Sender'] & object = {
    UserId: undefined,
    Attributes: undefined,
  };
  private readonly record: ParsedRecordShape = {
    event_timestamp: undefined,
    type: undefined,
    payload: {
      Id: undefined,
      RequestId: undefined,
      Attributes: undefined,
      Content: undefined,
      SendTime: undefined,
      EventName: undefined,
      Sender: undefined,
    },
  };
  /**
   * For the body being read, each regular record's Content and UserId by event: a record with the same bytes as
   * an earlier one's (see intern() in log-scan.as.ts) gets the same string.
   */
  private contents: (string | undefined)[] = [];
  private userIds: (string | undefined)[] = [];
  /** The scratch area as latin1, from `textAt` on, for the body being read. */
  private text = '';
  private textAt = 0;

  constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const scan = exports.scan;
    if (typeof scan !== 'function') throw new Error('log-scan.wasm exports no scan');
    this.scan = scan;
    this.buffer = Buffer.from(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }

  /** The body's records, or undefined when the decoder leaves the body to JSON.parse. */
  read(bytes: Buffer): ChatLogBatch | undefined {
    const length = bytes.length;
    const eventCapacity = Math.min(MAX_EVENTS, Math.floor(length / LEAST_EVENT_BYTES) + 1);
    const pairCapacity = eventCapacity * PAIRS_PER_EVENT;
    const scratchAt = align8(INPUT_AT + length + SLACK);
    const eventsAt = align8(scratchAt + length + SLACK);
    const pairsAt = eventsAt + eventCapacity * EVENT_INTS * 4;
    const internAt = align8(pairsAt + pairCapacity * PAIR_INTS * 4);
    // Two fields an event, at most half full.
    const internSlots = 2 ** Math.ceil(Math.log2(4 * eventCapacity));
    this.reserve(internAt + internSlots * INTERN_SLOT_BYTES + SLACK);
    this.buffer.set(bytes, INPUT_AT);
    const count = Number(
      this.scan(
        INPUT_AT,
        length,
        scratchAt,
        eventsAt,
        eventCapacity,
        pairsAt,
        pairCapacity,
        HEADER_AT,
        STACK_AT,
        internAt,
        internSlots,
      ),
    );
    if (count < 0) return undefined;
    const { ints } = this;
    // The records' copies as one latin1 string: an ASCII field is then a slice of it, where a Buffer#toString()
    // per field cost more than the decoder. Slices share it: it lives as long as any string taken from them.
    this.textAt = scratchAt;
    this.text = this.buffer.toString('latin1', scratchAt, ints[HEADER_SCRATCH_END] ?? scratchAt);
    const header = (span: number) => this.stringAt(HEADER_AT / 4 + span * SPAN_INTS);
    if (header(HEADER_MESSAGE_TYPE) !== 'DATA_MESSAGE' || ints[HEADER_HAS_EVENTS] !== 1) return undefined;
    const owner = header(HEADER_OWNER);
    const logGroup = header(HEADER_LOG_GROUP);
    const logStream = header(HEADER_LOG_STREAM);
    if (owner === undefined || logGroup === undefined || logStream === undefined) return undefined;
    const records: ChatLogEventRecord[] = [];
    for (let index = 0; index < count; index++) {
      const entry = eventsAt / 4 + index * EVENT_INTS;
      const logEventId = this.stringAt(entry + EVENT_ID) ?? '';
      const value =
        ints[entry + EVENT_STATUS] === REGULAR ? this.recordAt(entry, index, pairsAt / 4) : undefined;
      const parsed =
        value === undefined
          ? parseChatLogLine(this.stringAt(entry + EVENT_MESSAGE) ?? '')
          : parseChatLogRecord(value);
      records.push({ logEventId, parsed });
    }
    this.text = '';
    this.contents = [];
    this.userIds = [];
    return {
      kind: 'data',
      owner,
      logGroup,
      logStream,
      roomId: roomIdOfLogStream(logStream),
      records,
      rejected: [],
    };
  }

  /**
   * The record at the entry, with the fields parseChatLogRecord() reads as JSON.parse would have made them (an
   * absent one undefined, which it reads as absent), or undefined when it holds a map key JavaScript would read
   * as the prototype (JSON.parse then makes it). The same objects each time, refilled: parseChatLogRecord() keeps
   * their values, never them, and a batch's worth of them was garbage at once.
   */
  private recordAt(entry: number, index: number, pairsStart: number): ParsedRecordShape | undefined {
    const { record, sender, contents, userIds } = this;
    const { payload } = record;
    payload.Id = this.stringAt(entry + FIELD_ID);
    payload.RequestId = this.stringAt(entry + FIELD_REQUEST_ID);
    payload.Content = contents[index] =
      contents[this.ints[entry + EVENT_SAME_CONTENT] ?? -1] ?? this.stringAt(entry + FIELD_CONTENT);
    payload.SendTime = this.stringAt(entry + FIELD_SEND_TIME);
    payload.EventName = this.stringAt(entry + FIELD_EVENT_NAME);
    const attributes = this.mapAt(entry + FIELD_ATTRIBUTES, pairsStart);
    if (attributes === null) return undefined;
    payload.Attributes = attributes;
    payload.Sender = undefined;
    if (this.ints[entry + FIELD_HAS_SENDER] === 1) {
      sender.UserId = userIds[index] =
        userIds[this.ints[entry + EVENT_SAME_USER_ID] ?? -1] ?? this.stringAt(entry + FIELD_USER_ID);
      const senderAttributes = this.mapAt(entry + FIELD_SENDER_ATTRIBUTES, pairsStart);
      if (senderAttributes === null) return undefined;
      sender.Attributes = senderAttributes;
      payload.Sender = sender;
    }
    record.event_timestamp = this.stringAt(entry + FIELD_EVENT_TIMESTAMP);
    record.type = this.typeAt(entry + FIELD_TYPE);
    return record;
  }

  /** The map whose pairs' indices are at `at`: undefined when absent, null when a key is `__proto__`. */
  private mapAt(at: number, pairsStart: number): Record<string, string> | undefined | null {
    const first = this.ints[at] ?? -1;
    if (first < 0) return undefined;
    const end = this.ints[at + 1] ?? first;
    const map: Record<string, string> = {};
    for (let pair = first; pair < end; pair++) {
      const pairAt = pairsStart + pair * PAIR_INTS;
      const key = this.stringAt(pairAt);
      if (key === undefined || key === '__proto__') return null;
      map[key] = this.stringAt(pairAt + SPAN_INTS) ?? '';
    }
    return map;
  }

  /** stringAt() for a record's type: the two every record has are the same two strings each time. */
  private typeAt(at: number): string | undefined {
    const start = (this.ints[at] ?? -1) - this.textAt;
    const length = (this.ints[at + 1] ?? 0) - this.textAt - start;
    for (const type of RECORD_TYPES) {
      if (length === type.length && this.text.startsWith(type, start)) return type;
    }
    return this.stringAt(at);
  }

  /** The string whose span (start, end, flags) is at int `at`, or undefined when absent. */
  private stringAt(at: number): string | undefined {
    const { ints, buffer } = this;
    const start = ints[at] ?? -1;
    if (start < 0) return undefined;
    const end = ints[at + 1] ?? start;
    const flags = ints[at + 2] ?? 0;
    if ((flags & ESCAPED) !== 0) {
      // With its quotes: escapes are JSON.parse's to read, as they were.
      const value: unknown = JSON.parse(buffer.toString('utf8', start - 1, end + 1));
      return typeof value === 'string' ? value : undefined;
    }
    if ((flags & NON_ASCII) !== 0) return buffer.toString('utf8', start, end);
    // The body's own fields (an id, the header) are before the scratch area.
    return start >= this.textAt
      ? this.text.slice(start - this.textAt, end - this.textAt)
      : buffer.toString('latin1', start, end);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    this.buffer = Buffer.from(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }
}

function align8(value: number): number {
  return Math.ceil(value / 8) * 8;
}

/** Made on first use; null where WebAssembly cannot run (every body then goes through JSON.parse). */
let scanner: LogScanner | null | undefined;

function createScanner(): LogScanner | null {
  if (typeof WebAssembly !== 'object') return null;
  return new LogScanner(new WebAssembly.Module(Buffer.from(LOG_SCAN_WASM, 'base64')));
}
