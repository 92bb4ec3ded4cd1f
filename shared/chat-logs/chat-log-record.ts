import { describeValue } from '../config/raw-document.js';
import { isRecord, isStringMap } from '../guards.js';

/**
 * IVS chat log records (`{event_timestamp, type, version, payload}`, the
 * payload being the frame clients receive), parsed strictly: a record that
 * is not one gets a reason, never a throw, so a consumer can report it
 * instead of losing it.
 */

export type StringMap = Readonly<Record<string, string>>;

/**
 * A SendTime with its nanoseconds kept: IVS writes nine fractional digits, which Date would cut to three. Two
 * numbers, not one BigInt: the consumers order and window every logged message by it, and each BigInt operation
 * allocates.
 */
export interface SendTime {
  readonly iso: string;
  /** Whole milliseconds since the epoch. */
  readonly epochMillis: number;
  /** The nanoseconds past `epochMillis`: 0 to 999,999. */
  readonly extraNanos: number;
}

/** The SendTime in nanoseconds since the epoch, exactly. */
export function epochNanosOf(time: SendTime): bigint {
  return BigInt(time.epochMillis) * 1_000_000n + BigInt(time.extraNanos);
}

/** Orders two SendTimes: negative, zero or positive, as sort() expects. */
export function compareSendTimes(a: SendTime, b: SendTime): number {
  return a.epochMillis - b.epochMillis || a.extraNanos - b.extraNanos;
}

export interface LoggedMessage {
  readonly type: 'MESSAGE';
  readonly eventTimestamp: string;
  readonly id: string;
  /** Often empty in logs. */
  readonly requestId: string;
  readonly content: string;
  readonly attributes: StringMap;
  readonly sendTime: SendTime;
  readonly sender: { readonly userId: string; readonly attributes: StringMap };
}

export interface LoggedEvent {
  readonly type: 'EVENT';
  readonly eventTimestamp: string;
  readonly id: string;
  readonly requestId: string;
  readonly eventName: string;
  readonly attributes: StringMap;
  readonly sendTime: SendTime;
}

export type LoggedRecord = LoggedMessage | LoggedEvent;

export type RecordParse =
  | { readonly ok: true; readonly record: LoggedRecord }
  | { readonly ok: false; readonly reason: string };

const ISO_WITH_FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Where the second ends in a date-time ISO_WITH_FRACTION matches: a fraction, if any, starts after a '.' here. */
const SECOND_LENGTH = 19;

export function parseSendTime(value: unknown): SendTime | undefined {
  // test(), not exec(): the match array and its substrings were a share of every record's garbage.
  if (typeof value !== 'string' || !ISO_WITH_FRACTION.test(value)) return undefined;
  const second = secondOf(value);
  if (second === undefined) return undefined;
  const nanos = fractionNanos(value, second.zone.length);
  const millis = Math.floor(nanos / 1_000_000);
  return { iso: value, epochMillis: second.epochMillis + millis, extraNanos: nanos - millis * 1_000_000 };
}

/** The fraction's digits (at most nine, so exact as a number) as nanoseconds. */
function fractionNanos(value: string, zoneLength: number): number {
  const end = value.length - zoneLength;
  let nanos = 0;
  let scale = 100_000_000;
  for (let index = SECOND_LENGTH + 1; index < end; index++) {
    nanos += (value.charCodeAt(index) - 0x30) * scale;
    scale /= 10;
  }
  return nanos;
}

/**
 * Whether Date.parse reads `value`, as it did before: for the common ISO form, from the
 * remembered second. Hour 24 is valid only at 24:00:00 with no fraction, so it goes to Date.parse.
 */
function isDateTime(value: string): boolean {
  if (!ISO_WITH_FRACTION.test(value) || value.startsWith('24', 11)) return !Number.isNaN(Date.parse(value));
  return secondOf(value) !== undefined;
}

interface ParsedSecond {
  /** The date-time to the second, no zone. */
  readonly seconds: string;
  readonly zone: string;
  readonly epochMillis: number;
}

/** The last second parsed: a batch's records come in time order, many to a second. */
let lastSecond: ParsedSecond | undefined;
let lastInvalid: { readonly seconds: string; readonly zone: string } | undefined;

/** Whether `value` (matching ISO_WITH_FRACTION) is in `second`'s second and zone: compared in place, nothing cut. */
function sameSecond(value: string, second: { readonly seconds: string; readonly zone: string }): boolean {
  return value.startsWith(second.seconds) && value.endsWith(second.zone);
}

/**
 * The second of `value`, which matches ISO_WITH_FRACTION, in its zone, with Date.parse's checks;
 * undefined when invalid.
 */
function secondOf(value: string): ParsedSecond | undefined {
  // The pattern ends in Z or ±HH:MM: a value ending in the remembered zone has that zone.
  if (lastSecond !== undefined && sameSecond(value, lastSecond)) return lastSecond;
  if (lastInvalid !== undefined && sameSecond(value, lastInvalid)) return undefined;
  const seconds = value.slice(0, SECOND_LENGTH);
  const zone = value.slice(value.endsWith('Z') ? value.length - 1 : value.length - 6);
  const millis = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(millis)) {
    lastInvalid = { seconds, zone };
    return undefined;
  }
  lastSecond = { seconds, zone, epochMillis: millis };
  return lastSecond;
}

/** Attributes are optional in frames: absent reads as none. */
function stringMap(value: unknown): StringMap | undefined {
  if (value === undefined) return {};
  return isStringMap(value) ? value : undefined;
}

/** One record, from its JSON text (a CloudWatch log event message, an NDJSON line). */
export function parseChatLogLine(line: string): RecordParse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  return parseChatLogRecord(value);
}

export function parseChatLogRecord(value: unknown): RecordParse {
  if (!isRecord(value)) return { ok: false, reason: 'not an object' };
  const { event_timestamp: eventTimestamp, type, payload } = value;
  if (typeof eventTimestamp !== 'string' || !isDateTime(eventTimestamp)) {
    return { ok: false, reason: 'event_timestamp is not a date-time' };
  }
  // describeValue, not JSON.stringify: a type nested thousands deep would overflow the stack.
  if (type !== 'MESSAGE' && type !== 'EVENT')
    return { ok: false, reason: `unknown type ${describeValue(type)}` };
  if (!isRecord(payload)) return { ok: false, reason: 'payload is not an object' };
  const { Id: id, RequestId: requestId = '', Attributes, SendTime } = payload;
  const attributes = stringMap(Attributes);
  const sendTime = parseSendTime(SendTime);
  if (typeof id !== 'string' || id === '') return { ok: false, reason: 'payload.Id is missing' };
  if (typeof requestId !== 'string') return { ok: false, reason: 'payload.RequestId is not a string' };
  if (attributes === undefined) return { ok: false, reason: 'payload.Attributes is not a string map' };
  if (sendTime === undefined) return { ok: false, reason: 'payload.SendTime is not a date-time' };
  if (type === 'EVENT') {
    const { EventName: eventName } = payload;
    if (typeof eventName !== 'string' || eventName === '')
      return { ok: false, reason: 'payload.EventName is missing' };
    return { ok: true, record: { type, eventTimestamp, id, requestId, eventName, attributes, sendTime } };
  }
  const { Content: content, Sender } = payload;
  if (typeof content !== 'string') return { ok: false, reason: 'payload.Content is not a string' };
  if (!isRecord(Sender) || typeof Sender.UserId !== 'string')
    return { ok: false, reason: 'payload.Sender.UserId is missing' };
  const senderAttributes = stringMap(Sender.Attributes);
  if (senderAttributes === undefined)
    return { ok: false, reason: 'payload.Sender.Attributes is not a string map' };
  return {
    ok: true,
    record: {
      type,
      eventTimestamp,
      id,
      requestId,
      content,
      attributes,
      sendTime,
      sender: { userId: Sender.UserId, attributes: senderAttributes },
    },
  };
}

/** The message a `aws:DELETE_MESSAGE` event deleted: `MessageId`, or the deprecated `MessageID` older logs carry. */
export function deletedMessageId(event: LoggedEvent): string | undefined {
  if (event.eventName !== 'aws:DELETE_MESSAGE') return undefined;
  return event.attributes.MessageId ?? event.attributes.MessageID;
}
