/**
 * The chat log consumer's decoder in WebAssembly (AssemblyScript, built by `npm run build:wasm` into
 * log-scan-wasm.ts): one pass over a CloudWatch Logs subscription body's UTF-8 bytes, as gunzip left them, that
 * checks they are JSON and lists where each log event's fields are, then, per event, un-escapes its message (one
 * chat log record as JSON text) and lists where that record's fields are. JavaScript then makes only the strings
 * it needs, from those spans (read-chat-log-event.ts), where `JSON.parse` made the whole body a string, every
 * message a string, and every record a tree of objects and strings, most of them garbage at once.
 *
 * It is a fast path, not a second parser of record: only the regular case is read here (valid UTF-8 and JSON, the
 * fields the consumer reads of the types it needs, each once, keys without escapes, nesting under MAX_DEPTH), and
 * anything else goes the way it went before. For the body that is scan() answering BAIL, and the caller then
 * parses it with JSON.parse; for one record, a SLOW mark on its entry, and the caller then makes the message
 * string and parses it with JSON.parse. Strings are listed as spans with flags (ESCAPED, NON_ASCII): the caller
 * makes an ASCII span with latin1, any other without escapes with UTF-8, and leaves escapes to JSON.parse.
 *
 * Memory is the caller's, every region at an address it passes (see read-chat-log-event.ts).
 */

import {
  ESCAPED,
  EVENT_COPY,
  EVENT_ID,
  EVENT_INTS,
  EVENT_MESSAGE,
  EVENT_SAME_CONTENT,
  EVENT_SAME_USER_ID,
  EVENT_STATUS,
  EVENT_TIMESTAMP,
  FIELD_ATTRIBUTES,
  FIELD_CONTENT,
  FIELD_EVENT_NAME,
  FIELD_EVENT_TIMESTAMP,
  FIELD_HAS_PAYLOAD,
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
  SLOW,
  SPAN_INTS,
} from './log-scan-layout';

const FAILED: i32 = -1;

/** scan()'s answer when the body is not the regular case. */
const BAIL: i32 = -1;

/** Deeper nesting (of values the consumer skips) bails: JSON.parse takes the body or record. */
const MAX_DEPTH: u32 = 256;

// The keys the consumer reads, as their bytes packed little-endian into two words (see keyIs()).
const KEY_MESSAGE_TYPE_LOW: u64 = ((<u64>0x54656761) << 32) | 0x7373656d; // messageType
const KEY_MESSAGE_TYPE_HIGH: u64 = 0x657079;
const KEY_OWNER: u64 = 0x72656e776f; // owner
const KEY_LOG_GROUP: u64 = ((<u64>0x70756f72) << 32) | 0x47676f6c; // logGroup
const KEY_LOG_STREAM_LOW: u64 = ((<u64>0x61657274) << 32) | 0x53676f6c; // logStream
const KEY_LOG_STREAM_HIGH: u64 = 0x6d;
const KEY_LOG_EVENTS_LOW: u64 = ((<u64>0x746e6576) << 32) | 0x45676f6c; // logEvents
const KEY_LOG_EVENTS_HIGH: u64 = 0x73;
const KEY_LOWER_ID: u64 = 0x6469; // id
const KEY_TIMESTAMP_LOW: u64 = ((<u64>0x6d617473) << 32) | 0x656d6974; // timestamp
const KEY_TIMESTAMP_HIGH: u64 = 0x70;
const KEY_MESSAGE: u64 = ((<u64>0x00656761) << 32) | 0x7373656d; // message
const KEY_EVENT_TIMESTAMP_LOW: u64 = ((<u64>0x69745f74) << 32) | 0x6e657665; // event_timestamp
const KEY_EVENT_TIMESTAMP_HIGH: u64 = ((<u64>0x00706d61) << 32) | 0x7473656d;
const KEY_TYPE: u64 = 0x65707974; // type
const KEY_PAYLOAD: u64 = ((<u64>0x0064616f) << 32) | 0x6c796170; // payload
const KEY_ID: u64 = 0x6449; // Id
const KEY_REQUEST_ID_LOW: u64 = ((<u64>0x49747365) << 32) | 0x75716552; // RequestId
const KEY_REQUEST_ID_HIGH: u64 = 0x64;
const KEY_ATTRIBUTES_LOW: u64 = ((<u64>0x74756269) << 32) | 0x72747441; // Attributes
const KEY_ATTRIBUTES_HIGH: u64 = 0x7365;
const KEY_CONTENT: u64 = ((<u64>0x00746e65) << 32) | 0x746e6f43; // Content
const KEY_SEND_TIME: u64 = ((<u64>0x656d6954) << 32) | 0x646e6553; // SendTime
const KEY_EVENT_NAME_LOW: u64 = ((<u64>0x6d614e74) << 32) | 0x6e657645; // EventName
const KEY_EVENT_NAME_HIGH: u64 = 0x65;
const KEY_SENDER: u64 = 0x7265646e6553; // Sender
const KEY_USER_ID: u64 = 0x644972657355; // UserId

// The reader: a position and the end of the text it reads (byte addresses).
let pos: u32 = 0;
let limit: u32 = 0;
/** The open brackets of skipValue(), one byte each. */
let stackAt: u32 = 0;
// The content of the last string scanString() read (without its quotes).
let stringStart: u32 = 0;
let stringEnd: u32 = 0;
/** Where the next message's un-escaped copy goes. */
let scratchAt: u32 = 0;
// Where the next attribute pair goes, and how many fit.
let pairsAt: u32 = 0;
let pairCount: u32 = 0;
let pairCapacity: u32 = 0;

/**
 * Reads the subscription body of `length` bytes at `inputAt`: the number of log events listed at `eventsAt`
 * (their un-escaped records are at `scratchAt`, which has room for `length` bytes), or BAIL. The header's spans
 * are at `headerAt`; `stack` has MAX_DEPTH bytes for skipValue().
 */
export function scan(
  inputAt: u32,
  length: u32,
  scratch: u32,
  eventsAt: u32,
  eventCapacity: u32,
  pairs: u32,
  pairLimit: u32,
  headerAt: u32,
  stack: u32,
  interned: u32,
  internSlots: u32,
): i32 {
  internAt = interned;
  internMask = internSlots - 1;
  memory.fill(interned, 0, internSlots * INTERN_SLOT_BYTES);
  pos = inputAt;
  limit = inputAt + length;
  stackAt = stack;
  pairsAt = pairs;
  pairCount = 0;
  pairCapacity = pairLimit;
  for (let index: u32 = 0; index <= <u32>HEADER_HAS_EVENTS; index++) store<i32>(headerAt + (index << 2), -1);
  store<i32>(headerAt + (HEADER_HAS_EVENTS << 2), 0);
  let events: u32 = 0;
  scratchAt = scratch;
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    const keyLength = memberKey();
    if (keyLength < 0) return BAIL;
    const at = stringStart;
    let header: i32 = -1;
    if (keyIs(at, keyLength, 11, KEY_MESSAGE_TYPE_LOW, KEY_MESSAGE_TYPE_HIGH)) header = HEADER_MESSAGE_TYPE;
    else if (keyIs(at, keyLength, 5, KEY_OWNER, 0)) header = HEADER_OWNER;
    else if (keyIs(at, keyLength, 8, KEY_LOG_GROUP, 0)) header = HEADER_LOG_GROUP;
    else if (keyIs(at, keyLength, 9, KEY_LOG_STREAM_LOW, KEY_LOG_STREAM_HIGH)) header = HEADER_LOG_STREAM;
    if (header >= 0) {
      const spanAt = headerAt + ((<u32>header * SPAN_INTS) << 2);
      if (load<i32>(spanAt) >= 0) return BAIL;
      if (!readStringField(spanAt)) return BAIL;
    } else if (keyIs(at, keyLength, 9, KEY_LOG_EVENTS_LOW, KEY_LOG_EVENTS_HIGH)) {
      if (load<i32>(headerAt + (HEADER_HAS_EVENTS << 2)) !== 0) return BAIL;
      store<i32>(headerAt + (HEADER_HAS_EVENTS << 2), 1);
      skipSpace();
      if (pos >= limit || load<u8>(pos) !== 0x5b) return BAIL;
      pos++;
      skipSpace();
      let more = pos < limit && load<u8>(pos) === 0x5d ? 0 : 1;
      if (more === 0) pos++;
      while (more > 0) {
        if (events >= eventCapacity) return BAIL;
        const entryAt = eventsAt + ((events * EVENT_INTS) << 2);
        if (!readLogEvent(entryAt)) return BAIL;
        readRecord(entryAt, events);
        events++;
        skipSpace();
        if (pos >= limit) return BAIL;
        const next = load<u8>(pos);
        pos++;
        if (next === 0x5d) more = 0;
        else if (next !== 0x2c) return BAIL;
      }
    } else if (!skipValue()) return BAIL;
    member = nextMember();
  }
  if (member < 0) return BAIL;
  skipSpace();
  store<i32>(headerAt + (HEADER_SCRATCH_END << 2), scratchAt);
  return pos === limit ? <i32>events : BAIL;
}

/** One log event `{id, timestamp, message}` (other keys skipped), its spans at `entryAt`; false when irregular. */
function readLogEvent(entryAt: u32): bool {
  for (let index: u32 = 0; index < <u32>EVENT_INTS; index++) store<i32>(entryAt + (index << 2), -1);
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    const keyLength = memberKey();
    if (keyLength < 0) return false;
    const at = stringStart;
    if (keyIs(at, keyLength, 2, KEY_LOWER_ID, 0)) {
      if (!readNewStringField(entryAt + (EVENT_ID << 2))) return false;
    } else if (keyIs(at, keyLength, 9, KEY_TIMESTAMP_LOW, KEY_TIMESTAMP_HIGH)) {
      if (load<i32>(entryAt + (EVENT_TIMESTAMP << 2)) >= 0) return false;
      skipSpace();
      const start = pos;
      if (!scanNumber()) return false;
      store<i32>(entryAt + (EVENT_TIMESTAMP << 2), start);
      store<i32>(entryAt + ((EVENT_TIMESTAMP + 1) << 2), pos);
    } else if (keyIs(at, keyLength, 7, KEY_MESSAGE, 0)) {
      if (load<i32>(entryAt + (EVENT_MESSAGE << 2)) >= 0) return false;
      skipSpace();
      const flags = scanMessage(scratchAt);
      if (flags < 0) return false;
      store<i32>(entryAt + (EVENT_MESSAGE << 2), stringStart);
      store<i32>(entryAt + ((EVENT_MESSAGE + 1) << 2), stringEnd);
      store<i32>(entryAt + ((EVENT_MESSAGE + 2) << 2), flags);
      store<i32>(entryAt + (EVENT_COPY << 2), scratchAt);
      store<i32>(entryAt + ((EVENT_COPY + 1) << 2), copiedEnd);
    } else if (!skipValue()) return false;
    member = nextMember();
  }
  return (
    member === 0 &&
    load<i32>(entryAt + (EVENT_ID << 2)) >= 0 &&
    load<i32>(entryAt + (EVENT_TIMESTAMP << 2)) >= 0 &&
    load<i32>(entryAt + (EVENT_MESSAGE << 2)) >= 0
  );
}

/**
 * Reads the record in the event's message (copied un-escaped into the scratch area), marking the entry REGULAR
 * or SLOW. The body's reader is left where it was.
 */
function readRecord(entryAt: u32, event: u32): void {
  const outerPos = pos;
  const outerLimit = limit;
  const start = load<i32>(entryAt + (EVENT_COPY << 2));
  const end = load<i32>(entryAt + ((EVENT_COPY + 1) << 2));
  const pairsBefore = pairCount;
  let status = SLOW;
  if (end >= 0) {
    pos = <u32>start;
    limit = <u32>end;
    if (readRecordFields(entryAt)) status = REGULAR;
    scratchAt = <u32>end;
  }
  if (status === SLOW) pairCount = pairsBefore;
  store<i32>(entryAt + (EVENT_STATUS << 2), status);
  store<i32>(
    entryAt + (EVENT_SAME_CONTENT << 2),
    status === REGULAR ? intern(entryAt, event, FIELD_CONTENT) : -1,
  );
  store<i32>(
    entryAt + (EVENT_SAME_USER_ID << 2),
    status === REGULAR ? intern(entryAt, event, FIELD_USER_ID) : -1,
  );
  pos = outerPos;
  limit = outerLimit;
  copyPlainId(entryAt);
}

// Chat repeats itself ("gg", copy-paste, floods) and a room has few senders: the caller makes one string for
// each distinct Content and Sender.UserId of a body, so repeats cost no string and compare by identity.
let internAt: u32 = 0;
let internMask: u32 = 0;

/**
 * The earlier event whose `field` span has the same bytes as this event's, or -1 (the field absent, or the
 * first of its bytes: then listed for the events after it).
 */
function intern(entryAt: u32, event: u32, field: u32): i32 {
  const start = load<i32>(entryAt + (field << 2));
  if (start < 0) return -1;
  const end = <u32>load<i32>(entryAt + ((field + 1) << 2));
  const hash = hashBytes(<u32>start, end) ^ field;
  const eventsAt = entryAt - ((event * EVENT_INTS) << 2);
  for (let slot = hash & internMask; ; slot = (slot + 1) & internMask) {
    const at = internAt + slot * INTERN_SLOT_BYTES;
    const listed = load<i32>(at + 4);
    if (listed === 0) {
      store<u32>(at, hash);
      store<i32>(at + 4, <i32>event + 1);
      store<u32>(at + 8, field);
      return -1;
    }
    if (load<u32>(at) !== hash || load<u32>(at + 8) !== field) continue;
    const other = eventsAt + (((<u32>listed - 1) * EVENT_INTS) << 2);
    const otherStart = <u32>load<i32>(other + (field << 2));
    const otherEnd = <u32>load<i32>(other + ((field + 1) << 2));
    if (sameBytes(<u32>start, end, otherStart, otherEnd)) return listed - 1;
  }
  // biome-ignore lint/correctness/noUnreachable: AssemblyScript asks for a return after a loop that only returns.
  return -1;
}

function sameBytes(start: u32, end: u32, otherStart: u32, otherEnd: u32): bool {
  const length = end - start;
  if (otherEnd - otherStart !== length) return false;
  let k: u32 = 0;
  for (; k + 8 <= length; k += 8) if (load<u64>(start + k) !== load<u64>(otherStart + k)) return false;
  for (; k < length; k++) if (load<u8>(start + k) !== load<u8>(otherStart + k)) return false;
  return true;
}

// Multipliers of a 64-bit mix (murmur3's finalizer), in halves that JavaScript's linter reads exactly.
const MIX_A: u64 = ((<u64>0xff51afd7) << 32) | 0xed558ccd;
const MIX_B: u64 = ((<u64>0xc4ceb9fe) << 32) | 0x1a85ec53;

function hashBytes(start: u32, end: u32): u32 {
  let hash: u64 = <u64>(end - start);
  let at = start;
  for (; at + 8 <= end; at += 8) {
    hash = (hash ^ load<u64>(at)) * MIX_A;
    hash ^= hash >>> 33;
  }
  let tail: u64 = 0;
  for (let shift: u64 = 0; at < end; at++, shift += 8) tail |= (<u64>load<u8>(at)) << shift;
  hash = (hash ^ tail) * MIX_B;
  hash ^= hash >>> 29;
  return <u32>hash;
}

/** Copies the event's id after the record, if it is plain ASCII: the caller makes its strings from there. */
function copyPlainId(entryAt: u32): void {
  if (load<i32>(entryAt + ((EVENT_ID + 2) << 2)) !== 0) return;
  const start = <u32>load<i32>(entryAt + (EVENT_ID << 2));
  const length = <u32>load<i32>(entryAt + ((EVENT_ID + 1) << 2)) - start;
  memory.copy(scratchAt, start, length);
  store<i32>(entryAt + (EVENT_ID << 2), scratchAt);
  store<i32>(entryAt + ((EVENT_ID + 1) << 2), scratchAt + length);
  scratchAt += length;
}

/** `{event_timestamp, type, payload, ...}`; false when not the regular case. */
function readRecordFields(entryAt: u32): bool {
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    const keyLength = memberKey();
    if (keyLength < 0) return false;
    const at = stringStart;
    if (keyIs(at, keyLength, 15, KEY_EVENT_TIMESTAMP_LOW, KEY_EVENT_TIMESTAMP_HIGH)) {
      if (!readNewStringField(entryAt + (FIELD_EVENT_TIMESTAMP << 2))) return false;
    } else if (keyIs(at, keyLength, 4, KEY_TYPE, 0)) {
      if (!readNewStringField(entryAt + (FIELD_TYPE << 2))) return false;
    } else if (keyIs(at, keyLength, 7, KEY_PAYLOAD, 0)) {
      if (load<i32>(entryAt + (FIELD_HAS_PAYLOAD << 2)) >= 0 || !readPayload(entryAt)) return false;
      store<i32>(entryAt + (FIELD_HAS_PAYLOAD << 2), 1);
    } else if (!skipValue()) return false;
    member = nextMember();
  }
  if (member < 0 || load<i32>(entryAt + (FIELD_HAS_PAYLOAD << 2)) < 0) return false;
  skipSpace();
  return pos === limit;
}

function readPayload(entryAt: u32): bool {
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    const keyLength = memberKey();
    if (keyLength < 0) return false;
    const at = stringStart;
    let field: i32 = -1;
    if (keyIs(at, keyLength, 2, KEY_ID, 0)) field = FIELD_ID;
    else if (keyIs(at, keyLength, 9, KEY_REQUEST_ID_LOW, KEY_REQUEST_ID_HIGH)) field = FIELD_REQUEST_ID;
    else if (keyIs(at, keyLength, 7, KEY_CONTENT, 0)) field = FIELD_CONTENT;
    else if (keyIs(at, keyLength, 8, KEY_SEND_TIME, 0)) field = FIELD_SEND_TIME;
    else if (keyIs(at, keyLength, 9, KEY_EVENT_NAME_LOW, KEY_EVENT_NAME_HIGH)) field = FIELD_EVENT_NAME;
    if (field >= 0) {
      if (!readNewStringField(entryAt + ((<u32>field) << 2))) return false;
    } else if (keyIs(at, keyLength, 10, KEY_ATTRIBUTES_LOW, KEY_ATTRIBUTES_HIGH)) {
      if (!readStringMap(entryAt + (FIELD_ATTRIBUTES << 2))) return false;
    } else if (keyIs(at, keyLength, 6, KEY_SENDER, 0)) {
      if (load<i32>(entryAt + (FIELD_HAS_SENDER << 2)) >= 0 || !readSender(entryAt)) return false;
      store<i32>(entryAt + (FIELD_HAS_SENDER << 2), 1);
    } else if (!skipValue()) return false;
    member = nextMember();
  }
  return member === 0;
}

function readSender(entryAt: u32): bool {
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    const keyLength = memberKey();
    if (keyLength < 0) return false;
    const at = stringStart;
    if (keyIs(at, keyLength, 6, KEY_USER_ID, 0)) {
      if (!readNewStringField(entryAt + (FIELD_USER_ID << 2))) return false;
    } else if (keyIs(at, keyLength, 10, KEY_ATTRIBUTES_LOW, KEY_ATTRIBUTES_HIGH)) {
      if (!readStringMap(entryAt + (FIELD_SENDER_ATTRIBUTES << 2))) return false;
    } else if (!skipValue()) return false;
    member = nextMember();
  }
  return member === 0;
}

/** An object of strings, its pairs listed; false when a value is not a string, or the map came before. */
function readStringMap(fieldAt: u32): bool {
  if (load<i32>(fieldAt) >= 0) return false;
  store<i32>(fieldAt, pairCount);
  skipSpace();
  let member = beginObject();
  while (member > 0) {
    if (pairCount >= pairCapacity) return false;
    const pairAt = pairsAt + ((pairCount * PAIR_INTS) << 2);
    const keyFlags = scanString();
    if (keyFlags < 0 || !colon()) return false;
    store<i32>(pairAt, stringStart);
    store<i32>(pairAt + 4, stringEnd);
    store<i32>(pairAt + 8, keyFlags);
    skipSpace();
    const valueFlags = scanString();
    if (valueFlags < 0) return false;
    store<i32>(pairAt + 12, stringStart);
    store<i32>(pairAt + 16, stringEnd);
    store<i32>(pairAt + 20, valueFlags);
    pairCount++;
    member = nextMember();
  }
  store<i32>(fieldAt + 4, pairCount);
  return member === 0;
}

/**
 * A member's key and its colon, at the reader: the key's length, its bytes from stringStart; -1 when there is none,
 * or it has escapes or other than ASCII (no key the consumer reads has, so such a key makes the reading irregular).
 */
function memberKey(): i32 {
  if (scanString() !== 0 || !colon()) return -1;
  return <i32>(stringEnd - stringStart);
}

/** A string value for a field not read before, its span at `spanAt`. */
function readNewStringField(spanAt: u32): bool {
  return load<i32>(spanAt) < 0 && readStringField(spanAt);
}

function readStringField(spanAt: u32): bool {
  skipSpace();
  const flags = scanString();
  if (flags < 0) return false;
  store<i32>(spanAt, stringStart);
  store<i32>(spanAt + 4, stringEnd);
  store<i32>(spanAt + 8, flags);
  return true;
}

/** The key at [at, at + length) is the one of `expected` bytes packed into `low` and `high`. */
function keyIs(at: u32, length: u32, expected: u32, low: u64, high: u64): bool {
  if (length !== expected) return false;
  if (length <= 8) return (load<u64>(at) & maskOf(length)) === low;
  return load<u64>(at) === low && (load<u64>(at + 8) & maskOf(length - 8)) === high;
}

function maskOf(bytes: u32): u64 {
  return bytes >= 8 ? <u64>-1 : ((<u64>1) << ((<u64>bytes) << 3)) - 1;
}

// ---------------------------------------------------------------------------------------------------------
// JSON, as ECMA-404 has it, on UTF-8 that must be valid.

function skipSpace(): void {
  let at = pos;
  const end = limit;
  while (at < end) {
    const c = load<u8>(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  pos = at;
}

/** After `{`: 1 with the reader at the first member, 0 after `}` for an empty object, -1 when not an object. */
function beginObject(): i32 {
  if (pos >= limit || load<u8>(pos) !== 0x7b) return -1;
  pos++;
  skipSpace();
  if (pos < limit && load<u8>(pos) === 0x7d) {
    pos++;
    return 0;
  }
  return 1;
}

/** After a member's value: 1 at the next member, 0 after the closing `}`, -1 otherwise. */
function nextMember(): i32 {
  skipSpace();
  if (pos >= limit) return -1;
  const c = load<u8>(pos);
  pos++;
  if (c === 0x7d) return 0;
  if (c !== 0x2c) return -1;
  skipSpace();
  return 1;
}

function colon(): bool {
  skipSpace();
  if (pos >= limit || load<u8>(pos) !== 0x3a) return false;
  pos++;
  return true;
}

/** A string at the reader: its flags, its content at stringStart–stringEnd and the reader after it; or FAILED. */
function scanString(): i32 {
  // In locals: globals are read and written back on every access, and most bytes are inside strings.
  let at = pos;
  const end = limit;
  if (at >= end || load<u8>(at) !== 0x22) return FAILED;
  at++;
  stringStart = at;
  let flags: i32 = 0;
  while (at < end) {
    // Sixteen bytes at a time past the plain ones: most of a string is.
    if (at + 16 <= end) {
      const mask = specialBytes(v128.load(at));
      if (mask === 0) {
        at += 16;
        continue;
      }
      at += <u32>ctz(mask);
    }
    const c = <u32>load<u8>(at);
    if (c === 0x22) {
      stringEnd = at;
      pos = at + 1;
      return flags;
    }
    if (c >= 0x20 && c < 0x80 && c !== 0x5c) {
      at++;
      continue;
    }
    if (c === 0x5c) {
      flags |= ESCAPED;
      if (at + 1 >= end) return FAILED;
      const escaped = <u32>load<u8>(at + 1);
      if (escaped === 0x75) {
        if (at + 6 > end || hex4(at + 2) < 0) return FAILED;
        at += 6;
        continue;
      }
      if (unescaped(escaped) < 0) return FAILED;
      at += 2;
      continue;
    }
    if (c < 0x20) return FAILED;
    flags |= NON_ASCII;
    const width = utf8Width(at, end);
    if (width === 0) return FAILED;
    at += width;
  }
  return FAILED;
}

/** One bit per byte of `bytes` that is not plain string content: a quote, a backslash, a control or non-ASCII byte. */
function specialBytes(bytes: v128): i32 {
  const marked = v128.or(
    v128.or(i8x16.eq(bytes, i8x16.splat(0x22)), i8x16.eq(bytes, i8x16.splat(0x5c))),
    i8x16.lt_u(bytes, i8x16.splat(0x20)),
  );
  return i8x16.bitmask(marked) | i8x16.bitmask(bytes);
}

/** Where the last scanMessage() copy ended, or -1 when the message escapes a lone surrogate, which UTF-8 cannot hold. */
let copiedEnd: i32 = 0;

/**
 * scanString() for a log event's message, un-escaping its content into `dest` as it goes (the record it holds is
 * read from there): its flags, or FAILED; the copy's end in copiedEnd.
 */
function scanMessage(dest: u32): i32 {
  let at = pos;
  const end = limit;
  if (at >= end || load<u8>(at) !== 0x22) return FAILED;
  at++;
  stringStart = at;
  let out = dest;
  let copying = true;
  let flags: i32 = 0;
  while (at < end) {
    if (at + 16 <= end) {
      const bytes = v128.load(at);
      const mask = specialBytes(bytes);
      // Stored whole: the bytes past a special one are written over by what comes next.
      if (copying) v128.store(out, bytes);
      if (mask === 0) {
        at += 16;
        out += 16;
        continue;
      }
      const plain = <u32>ctz(mask);
      at += plain;
      out += plain;
    }
    const c = <u32>load<u8>(at);
    if (c === 0x22) {
      stringEnd = at;
      pos = at + 1;
      copiedEnd = copying ? <i32>out : -1;
      return flags;
    }
    if (c === 0x5c) {
      flags |= ESCAPED;
      if (at + 1 >= end) return FAILED;
      const escaped = <u32>load<u8>(at + 1);
      if (escaped !== 0x75) {
        const byte = unescaped(escaped);
        if (byte < 0) return FAILED;
        if (copying) store<u8>(out++, <u8>byte);
        at += 2;
        continue;
      }
      if (at + 6 > end) return FAILED;
      const unit = hex4(at + 2);
      if (unit < 0) return FAILED;
      at += 6;
      let codePoint = <u32>unit;
      // A high surrogate and an escaped low one after it are one code point; anything else is a lone surrogate.
      if (codePoint >= 0xd800 && codePoint <= 0xdbff && at + 6 <= end && load<u8>(at) === 0x5c) {
        const low = load<u8>(at + 1) === 0x75 ? hex4(at + 2) : -1;
        if (low >= 0xdc00 && low <= 0xdfff) {
          codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (<u32>low - 0xdc00);
          at += 6;
        }
      }
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) copying = false;
      else if (copying) out = writeUtf8(out, codePoint);
      continue;
    }
    if (c < 0x20) return FAILED;
    let width: u32 = 1;
    if (c >= 0x80) {
      flags |= NON_ASCII;
      width = utf8Width(at, end);
      if (width === 0) return FAILED;
    }
    if (copying) {
      for (let k: u32 = 0; k < width; k++) store<u8>(out + k, load<u8>(at + k));
      out += width;
    }
    at += width;
  }
  return FAILED;
}

/** The byte a one-letter escape stands for, or -1. */
function unescaped(letter: u32): i32 {
  switch (letter) {
    case 0x22:
      return 0x22;
    case 0x5c:
      return 0x5c;
    case 0x2f:
      return 0x2f;
    case 0x62:
      return 0x08;
    case 0x66:
      return 0x0c;
    case 0x6e:
      return 0x0a;
    case 0x72:
      return 0x0d;
    case 0x74:
      return 0x09;
    default:
      return -1;
  }
}

function hexDigit(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return <i32>(lower - 0x61 + 10);
  return -1;
}

/** The four hex digits at `at` (inside the text: checked by the caller), or -1. */
function hex4(at: u32): i32 {
  const a = hexDigit(load<u8>(at));
  const b = hexDigit(load<u8>(at + 1));
  const c = hexDigit(load<u8>(at + 2));
  const d = hexDigit(load<u8>(at + 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** The length of the valid UTF-8 sequence at `at`, before `end` (Unicode's table 3-7), or 0. */
function utf8Width(at: u32, end: u32): u32 {
  const lead = <u32>load<u8>(at);
  if (lead >= 0xc2 && lead <= 0xdf) return at + 1 < end && isContinuation(at + 1, 0x80, 0xbf) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (at + 2 >= end) return 0;
    const low: u32 = lead === 0xe0 ? 0xa0 : 0x80;
    const high: u32 = lead === 0xed ? 0x9f : 0xbf;
    return isContinuation(at + 1, low, high) && isContinuation(at + 2, 0x80, 0xbf) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (at + 3 >= end) return 0;
    const low: u32 = lead === 0xf0 ? 0x90 : 0x80;
    const high: u32 = lead === 0xf4 ? 0x8f : 0xbf;
    return isContinuation(at + 1, low, high) &&
      isContinuation(at + 2, 0x80, 0xbf) &&
      isContinuation(at + 3, 0x80, 0xbf)
      ? 4
      : 0;
  }
  return 0;
}

function isContinuation(at: u32, low: u32, high: u32): bool {
  const c = <u32>load<u8>(at);
  return c >= low && c <= high;
}

function scanDigits(): u32 {
  const start = pos;
  const end = limit;
  let at = start;
  while (at < end) {
    const c = load<u8>(at);
    if (c < 0x30 || c > 0x39) break;
    at++;
  }
  pos = at;
  return at - start;
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at the reader. */
function scanNumber(): bool {
  if (pos < limit && load<u8>(pos) === 0x2d) pos++;
  if (pos >= limit) return false;
  const first = load<u8>(pos);
  if (first === 0x30) pos++;
  else if (first >= 0x31 && first <= 0x39) scanDigits();
  else return false;
  if (pos < limit && load<u8>(pos) === 0x2e) {
    pos++;
    if (scanDigits() === 0) return false;
  }
  if (pos < limit && (load<u8>(pos) | 0x20) === 0x65) {
    pos++;
    if (pos < limit && (load<u8>(pos) === 0x2b || load<u8>(pos) === 0x2d)) pos++;
    if (scanDigits() === 0) return false;
  }
  return true;
}

/** The literal of `length` bytes packed into `word`, at the reader. */
function scanLiteral(word: u64, length: u32): bool {
  if (pos + length > limit || (load<u64>(pos) & maskOf(length)) !== word) return false;
  pos += length;
  return true;
}

const TRUE: u64 = 0x65757274;
const FALSE: u64 = 0x65736c6166;
const NULL: u64 = 0x6c6c756e;

/** Any JSON value at the reader (after spaces), skipped; false when it is not one or nests too deep. */
function skipValue(): bool {
  let depth: u32 = 0;
  for (;;) {
    skipSpace();
    if (pos >= limit) return false;
    const c = load<u8>(pos);
    let closed = true;
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_DEPTH) return false;
      store<u8>(stackAt + depth, c);
      depth++;
      pos++;
      skipSpace();
      if (pos < limit && load<u8>(pos) === (c === 0x7b ? 0x7d : 0x5d)) {
        pos++;
        depth--;
      } else {
        closed = false;
        if (c === 0x7b && (scanString() < 0 || !colon())) return false;
      }
    } else if (c === 0x22) {
      if (scanString() < 0) return false;
    } else if (c === 0x74) {
      if (!scanLiteral(TRUE, 4)) return false;
    } else if (c === 0x66) {
      if (!scanLiteral(FALSE, 5)) return false;
    } else if (c === 0x6e) {
      if (!scanLiteral(NULL, 4)) return false;
    } else if (!scanNumber()) return false;
    if (!closed) continue;
    // After a value: close what it ends, then on to the next one, or done at depth 0.
    for (;;) {
      if (depth === 0) return true;
      skipSpace();
      if (pos >= limit) return false;
      const open = load<u8>(stackAt + depth - 1);
      const next = load<u8>(pos);
      pos++;
      if (next === (open === 0x7b ? 0x7d : 0x5d)) {
        depth--;
        continue;
      }
      if (next !== 0x2c) return false;
      if (open === 0x7b) {
        skipSpace();
        if (scanString() < 0 || !colon()) return false;
      }
      break;
    }
  }
  // biome-ignore lint/correctness/noUnreachable: AssemblyScript asks for a return after a loop that only returns.
  return false;
}

function writeUtf8(out: u32, codePoint: u32): u32 {
  if (codePoint < 0x80) {
    store<u8>(out, <u8>codePoint);
    return out + 1;
  }
  if (codePoint < 0x800) {
    store<u8>(out, <u8>(0xc0 | (codePoint >>> 6)));
    store<u8>(out + 1, <u8>(0x80 | (codePoint & 0x3f)));
    return out + 2;
  }
  if (codePoint < 0x10000) {
    store<u8>(out, <u8>(0xe0 | (codePoint >>> 12)));
    store<u8>(out + 1, <u8>(0x80 | ((codePoint >>> 6) & 0x3f)));
    store<u8>(out + 2, <u8>(0x80 | (codePoint & 0x3f)));
    return out + 3;
  }
  store<u8>(out, <u8>(0xf0 | (codePoint >>> 18)));
  store<u8>(out + 1, <u8>(0x80 | ((codePoint >>> 12) & 0x3f)));
  store<u8>(out + 2, <u8>(0x80 | ((codePoint >>> 6) & 0x3f)));
  store<u8>(out + 3, <u8>(0x80 | (codePoint & 0x3f)));
  return out + 4;
}
