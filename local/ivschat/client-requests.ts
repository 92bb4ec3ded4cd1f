import { isRecord, isStringMap } from '../../shared/guards.js';
import type { Capability } from './chat-state.js';
import type { ErrorCode } from './messaging-frames.js';

/**
 * Reading what clients send over the messaging WebSocket (contracts §3.2).
 * Nothing here throws: every bad frame becomes a problem with the IVS error
 * code the client will see.
 */

export interface RequestProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Read<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: RequestProblem };

export const ACTIONS = ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'] as const;
export type Action = (typeof ACTIONS)[number];

/** Each action needs the token capability of the same name. */
export const REQUIRED_CAPABILITY: Readonly<Record<Action, Capability>> = {
  SEND_MESSAGE: 'SEND_MESSAGE',
  DELETE_MESSAGE: 'DELETE_MESSAGE',
  DISCONNECT_USER: 'DISCONNECT_USER',
};

/** Message and token attributes are limited to 1 KB in total (keys and values, UTF-8). */
export const MAX_ATTRIBUTES_BYTES = 1024;
/** DeleteMessage and DisconnectUser reasons: 1–256 characters, as on the control plane. */
export const MAX_REASON_LENGTH = 256;
/** UserID: 1–128 characters. */
export const MAX_USER_ID_LENGTH = 128;
/**
 * A frame larger than any valid request could be (500 code points of content
 * and 1 KB of attributes, even fully JSON-escaped) is refused before parsing.
 */
export const MAX_FRAME_BYTES = 16 * 1024;

export interface Envelope {
  readonly action: Action;
  /** `""` when the client sent none. */
  readonly requestId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface SendMessageRequest {
  readonly content: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface DeleteMessageRequest {
  readonly messageId: string;
  readonly reason: string;
}

export interface DisconnectUserRequest {
  readonly userId: string;
  readonly reason: string;
}

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const problem = <T>(code: ErrorCode, message: string): Read<T> => ({ ok: false, problem: { code, message } });

/** A failure keeps the RequestId when one could be read, so the error can settle the client's request. */
export type EnvelopeRead =
  | { readonly ok: true; readonly value: Envelope }
  | { readonly ok: false; readonly problem: RequestProblem; readonly requestId: string };

/** Parses a frame's JSON and reads `Action` and `RequestId`; the action's own fields are read later. */
export function readEnvelope(text: string): EnvelopeRead {
  const refuse = (code: ErrorCode, message: string, requestId = ''): EnvelopeRead => ({
    ok: false,
    problem: { code, message },
    requestId,
  });
  if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
    return refuse(413, `The request is larger than ${MAX_FRAME_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refuse(400, 'The request is not valid JSON');
  }
  if (!isRecord(body)) return refuse(400, 'The request must be a JSON object');
  if (body.RequestId !== undefined && typeof body.RequestId !== 'string') {
    return refuse(400, 'RequestId must be a string');
  }
  const requestId = typeof body.RequestId === 'string' ? body.RequestId : '';
  const action = ACTIONS.find((candidate) => candidate === body.Action);
  if (action === undefined) return refuse(400, `Action must be one of ${ACTIONS.join(', ')}`, requestId);
  return { ok: true, value: { action, requestId, body } };
}

export function readSendMessage(
  body: Readonly<Record<string, unknown>>,
  maximumMessageLength: number,
): Read<SendMessageRequest> {
  if (typeof body.Content !== 'string') return problem(400, 'Content must be a string');
  if (body.Content === '') return problem(400, 'Content must not be empty');
  const length = codePointLength(body.Content);
  if (length > maximumMessageLength) {
    return problem(413, `Content is ${length} characters long; the room allows ${maximumMessageLength}`);
  }
  const attributes = readAttributes(body.Attributes, 'Attributes');
  if (!attributes.ok) return attributes;
  return ok({ content: body.Content, attributes: attributes.value });
}

export function readDeleteMessage(body: Readonly<Record<string, unknown>>): Read<DeleteMessageRequest> {
  if (typeof body.Id !== 'string' || body.Id === '') return problem(400, 'Id must be a non-empty string');
  const reason = readReason(body.Reason);
  if (!reason.ok) return reason;
  return ok({ messageId: body.Id, reason: reason.value });
}

export function readDisconnectUser(body: Readonly<Record<string, unknown>>): Read<DisconnectUserRequest> {
  if (typeof body.UserId !== 'string' || body.UserId === '') {
    return problem(400, 'UserId must be a non-empty string');
  }
  if (codePointLength(body.UserId) > MAX_USER_ID_LENGTH) {
    return problem(413, `UserId is longer than ${MAX_USER_ID_LENGTH} characters`);
  }
  const reason = readReason(body.Reason);
  if (!reason.ok) return reason;
  return ok({ userId: body.UserId, reason: reason.value });
}

/** A string-to-string map of at most 1 KB; absent (or null) is empty. */
export function readAttributes(value: unknown, field: string): Read<Readonly<Record<string, string>>> {
  if (value === undefined || value === null) return ok({});
  if (!isStringMap(value)) return problem(400, `${field} must be an object of string values`);
  if (attributesBytes(value) > MAX_ATTRIBUTES_BYTES) {
    return problem(413, `${field} are larger than ${MAX_ATTRIBUTES_BYTES} bytes`);
  }
  // Rebuilt with Object.fromEntries so a `__proto__` key stays an ordinary own property.
  return ok(Object.fromEntries(Object.entries(value)));
}

export function attributesBytes(attributes: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes))
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}

/** IVS counts message length in code points, not UTF-16 units or bytes. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function readReason(value: unknown): Read<string> {
  if (value === undefined || value === null) return ok('');
  if (typeof value !== 'string') return problem(400, 'Reason must be a string');
  if (codePointLength(value) > MAX_REASON_LENGTH) {
    return problem(413, `Reason is longer than ${MAX_REASON_LENGTH} characters`);
  }
  return ok(value);
}
