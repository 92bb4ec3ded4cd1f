import type { LoggedMessage } from '../../shared/chat-logs/chat-log-record.js';

let sequence = 0;

/** A parsed chat log message from `userId` at `seconds` past the epoch, with a fresh id (`m1`, `m2`, …). */
export function loggedMessage(
  userId: string,
  seconds: number,
  content: string,
  role = 'viewer',
): LoggedMessage {
  sequence++;
  const iso = new Date(seconds * 1000).toISOString();
  return {
    type: 'MESSAGE',
    eventTimestamp: iso,
    id: `m${sequence}`,
    requestId: '',
    content,
    attributes: {},
    sendTime: { iso, epochMillis: seconds * 1000, extraNanos: 0 },
    sender: { userId, attributes: { role } },
  };
}
