import type { ChatLogRecord } from './chat-state.js';

/**
 * The frames the IVS Chat Messaging API sends to clients (contracts §3.3) and
 * the chat log records built from them (§2.2). Keys are IVS's, capitalised.
 */

export type StringMap = Readonly<Record<string, string>>;

export interface MessageFrame {
  readonly Type: 'MESSAGE';
  readonly Id: string;
  readonly RequestId: string;
  readonly Content: string;
  readonly Attributes: StringMap;
  readonly SendTime: string;
  readonly Sender: { readonly UserId: string; readonly Attributes: StringMap };
}

export interface EventFrame {
  readonly Type: 'EVENT';
  readonly Id: string;
  readonly RequestId: string;
  readonly EventName: string;
  readonly Attributes: StringMap;
  readonly SendTime: string;
}

export interface ErrorFrame {
  readonly Type: 'ERROR';
  readonly Id: string;
  readonly RequestId: string;
  readonly ErrorCode: ErrorCode;
  readonly ErrorMessage: string;
}

export type DeliveredFrame = MessageFrame | EventFrame;

/** The WebSocket error codes IVS documents (contracts §3.3). */
export const ERROR_MESSAGES = {
  400: 'The request is malformed or invalid',
  401: 'The connection has expired or the chat token is missing',
  403: 'The connection’s capabilities do not permit this action',
  404: 'The room cannot be found',
  406: 'The request was rejected during message review',
  413: 'The request contains fields that are too large',
  429: 'The rate limit of the room has been exceeded',
  500: 'General error',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const DELETE_MESSAGE_EVENT = 'aws:DELETE_MESSAGE';
export const DISCONNECT_USER_EVENT = 'aws:DISCONNECT_USER';

/**
 * IVS's `SendTime` has nanosecond precision (`2023-01-05T14:33:32.894089757Z`).
 * The sub-millisecond digits are zeros rather than made up: invented digits
 * could order two messages of the same millisecond backwards.
 */
export function nanosecondTime(time: Date): string {
  return time.toISOString().replace(/Z$/, '000000Z');
}

export function errorFrame(id: string, requestId: string, code: ErrorCode, message?: string): ErrorFrame {
  return {
    Type: 'ERROR',
    Id: id,
    RequestId: requestId,
    ErrorCode: code,
    ErrorMessage: message ?? ERROR_MESSAGES[code],
  };
}

/**
 * The requester gets its own RequestId back (the official client settles its
 * promise on it); everyone else, and the chat log, get `""` as in the
 * observed log records (contracts §2.2).
 */
export function withRequestId<Frame extends DeliveredFrame>(frame: Frame, requestId: string): Frame {
  return { ...frame, RequestId: requestId };
}

/** One chat log record, `{event_timestamp, type, version, payload}`, for the room's logging configurations. */
export function chatLogRecord(roomArn: string, frame: DeliveredFrame, receivedAt: Date): ChatLogRecord {
  return {
    roomArn,
    record: {
      event_timestamp: receivedAt.toISOString(),
      type: frame.Type,
      version: '1.0',
      payload: withRequestId(frame, ''),
    },
  };
}
