/**
 * The chat log decoder's output layout, in a module of its own that imports nothing: the WebAssembly decoder
 * (log-scan.as.ts, AssemblyScript) writes it and read-chat-log-event.ts reads it, both from this one definition
 * (esbuild writes the values into the code that imports them).
 */

// Flags of a string span.
export const ESCAPED = 1;
export const NON_ASCII = 2;

/** i32 per span: start, end, flags (start -1 while absent). */
export const SPAN_INTS = 3;
// The header's spans, in this order, at the header address.
export const HEADER_MESSAGE_TYPE = 0;
export const HEADER_OWNER = 1;
export const HEADER_LOG_GROUP = 2;
export const HEADER_LOG_STREAM = 3;
/** After the four spans: 1 when the body has logEvents. */
export const HEADER_HAS_EVENTS = 4 * SPAN_INTS;
/** Then where the last record's copy in the scratch area ends. */
export const HEADER_SCRATCH_END = HEADER_HAS_EVENTS + 1;

// Per log event, EVENT_INTS i32: the id's span (in the scratch area when plain ASCII, else in the body), the
// timestamp's start and end, the message's span (in the body), the record's status (REGULAR or SLOW), then, for a
// regular record, its fields' spans (in the scratch area), the pairs of its two attribute maps (first and end index
// into the pairs, -1 while absent), whether it has Sender and payload, where the message's un-escaped copy starts
// and ends in the scratch area, and the earlier event whose record has the same Content, and the same
// Sender.UserId, bytes for bytes (-1: none).
export const EVENT_INTS = 44;
export const EVENT_ID = 0;
export const EVENT_TIMESTAMP = 3;
export const EVENT_MESSAGE = 5;
export const EVENT_STATUS = 8;
export const FIELD_EVENT_TIMESTAMP = 9;
export const FIELD_TYPE = 12;
export const FIELD_ID = 15;
export const FIELD_REQUEST_ID = 18;
export const FIELD_CONTENT = 21;
export const FIELD_SEND_TIME = 24;
export const FIELD_EVENT_NAME = 27;
export const FIELD_USER_ID = 30;
export const FIELD_ATTRIBUTES = 33;
export const FIELD_SENDER_ATTRIBUTES = 35;
export const FIELD_HAS_SENDER = 37;
export const FIELD_HAS_PAYLOAD = 38;
export const EVENT_COPY = 39;
export const EVENT_SAME_CONTENT = 41;
export const EVENT_SAME_USER_ID = 42;
export const REGULAR = 0;
export const SLOW = 1;

/** i32 per attribute pair: the key's span, then the value's. */
export const PAIR_INTS = 6;
/** Bytes per slot of the table of distinct Contents and UserIds: the span's hash, the event's index + 1, the field. */
export const INTERN_SLOT_BYTES = 16;
