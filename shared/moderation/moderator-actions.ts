import type { Sanction } from '../enforcement/escalation.js';
import type { EnforcementAction } from '../enforcement/plan-enforcement.js';
import { isRecord } from '../guards.js';
import type { HeldMessage } from './held-message.js';
import { APPROVED_MESSAGE_EVENT, approvedMessageAttributes } from './held-message.js';

/** Reasons a moderator need not give. */
const DEFAULT_REASONS: Readonly<Record<string, string>> = {
  unban: 'lifted',
  approve: 'approved',
  reject: 'rejected',
};

/**
 * What a moderator can do to a room, validated from outside input (the HTTP
 * API's body, the CLI's arguments) and planned as the same idempotent
 * actions the chat-log consumers execute, plus the audit entry that records
 * it. Pure: the executor, the audit log and IVS are injected where it runs.
 */

export type ModeratorCommand =
  | { readonly kind: 'ban'; readonly roomArn: string; readonly userId: string; readonly reason: string }
  | { readonly kind: 'unban'; readonly roomArn: string; readonly userId: string; readonly reason: string }
  | {
      readonly kind: 'timeout';
      readonly roomArn: string;
      readonly userId: string;
      readonly seconds: number;
      readonly reason: string;
    }
  | { readonly kind: 'delete'; readonly roomArn: string; readonly messageId: string; readonly reason: string }
  | {
      readonly kind: 'disconnect';
      readonly roomArn: string;
      readonly userId: string;
      readonly reason: string;
    }
  /** A held message: delivered to the room (approve) or dropped (reject). */
  | {
      readonly kind: 'approve' | 'reject';
      readonly roomArn: string;
      readonly messageId: string;
      readonly reason: string;
    };

export const MODERATOR_COMMANDS = [
  'ban',
  'unban',
  'timeout',
  'delete',
  'disconnect',
  'approve',
  'reject',
] as const;
export type ModeratorCommandKind = (typeof MODERATOR_COMMANDS)[number];

export interface Moderator {
  /** Who called, as the caller's credentials say: the IAM principal's ARN, or the CLI's identity. */
  readonly id: string;
  /** A display name the operator's backend passes along (the person behind a shared role). */
  readonly name?: string;
}

export interface ModeratorRequest {
  readonly command: ModeratorCommand;
  readonly moderator: Moderator;
  /** The caller's idempotency key: the same request sent twice acts and is audited once. */
  readonly requestId: string;
  /** For approve and reject: the held message, as stored. */
  readonly held?: HeldMessage;
}

/** One line of the audit log: who did what, to whom, when and why. */
export interface AuditEntry {
  readonly requestId: string;
  readonly roomArn: string;
  readonly atMillis: number;
  readonly action: ModeratorCommandKind;
  readonly moderatorId: string;
  readonly moderatorName?: string;
  readonly userId?: string;
  readonly messageId?: string;
  readonly reason: string;
  /** A timeout's end. */
  readonly untilMillis?: number;
}

/** The SendEvent a room gets when a moderator bans or times someone out, for clients to render. */
export const MODERATION_EVENT_NAME = 'app:moderation-action';

/** Twitch's longest timeout: two weeks. */
export const MAX_TIMEOUT_SECONDS = 14 * 24 * 60 * 60;

export function planModeratorAction(
  request: ModeratorRequest,
  nowMillis: number,
): { readonly actions: EnforcementAction[]; readonly audit: AuditEntry } {
  const { command, moderator, requestId, held } = request;
  const key = (step: string) => `moderator:${requestId}:${step}`;
  const audit: AuditEntry = {
    requestId,
    roomArn: command.roomArn,
    atMillis: nowMillis,
    action: command.kind,
    moderatorId: moderator.id,
    ...(moderator.name === undefined ? {} : { moderatorName: moderator.name }),
    ...('userId' in command ? { userId: command.userId } : held === undefined ? {} : { userId: held.userId }),
    ...('messageId' in command ? { messageId: command.messageId } : {}),
    reason: command.reason,
  };
  const { roomArn } = command;
  switch (command.kind) {
    case 'ban': {
      const { userId, reason } = command;
      const sanction: Sanction = { kind: 'ban', reason };
      return {
        audit,
        actions: [
          // The sanction first: a user who reconnects at once must already be refused.
          { kind: 'sanction', key: key('sanction'), roomArn, userId, sanction },
          {
            kind: 'disconnect',
            key: key('disconnect'),
            roomArn,
            userId,
            reason: ivsReason(`Banned: ${reason}`),
          },
          notify(key('notify'), roomArn, userId, { action: 'ban', userId, reason }),
        ],
      };
    }
    case 'timeout': {
      const { userId, reason, seconds } = command;
      const untilMillis = nowMillis + seconds * 1000;
      const sanction: Sanction = { kind: 'timeout', untilMillis, reason };
      return {
        audit: { ...audit, untilMillis },
        actions: [
          { kind: 'sanction', key: key('sanction'), roomArn, userId, sanction },
          notify(key('notify'), roomArn, userId, {
            action: 'timeout',
            userId,
            reason,
            until: new Date(untilMillis).toISOString(),
          }),
        ],
      };
    }
    case 'unban':
      return {
        audit,
        actions: [{ kind: 'lift-sanction', key: key('lift'), roomArn, userId: command.userId }],
      };
    case 'delete':
      // IVS tells the room itself (aws:DELETE_MESSAGE).
      return {
        audit,
        actions: [
          {
            kind: 'delete-message',
            key: key('delete'),
            roomArn,
            userId: '',
            messageId: command.messageId,
            reason: ivsReason(command.reason),
          },
        ],
      };
    case 'approve':
      if (held === undefined) throw new Error('approve needs the held message');
      return {
        audit,
        actions: [
          {
            kind: 'notify',
            key: key('approve'),
            roomArn,
            userId: held.userId,
            eventName: APPROVED_MESSAGE_EVENT,
            attributes: approvedMessageAttributes(held),
          },
        ],
      };
    case 'reject':
      return { audit, actions: [] };
    case 'disconnect':
      // IVS tells the room itself (aws:DISCONNECT_USER).
      return {
        audit,
        actions: [
          {
            kind: 'disconnect',
            key: key('disconnect'),
            roomArn,
            userId: command.userId,
            reason: ivsReason(command.reason),
          },
        ],
      };
  }
}

function notify(
  key: string,
  roomArn: string,
  userId: string,
  attributes: Readonly<Record<string, string>>,
): EnforcementAction {
  return { kind: 'notify', key, roomArn, userId, eventName: MODERATION_EVENT_NAME, attributes };
}

/** IVS takes a reason of 1 to 256 characters (DeleteMessage, DisconnectUser). */
function ivsReason(reason: string): string {
  return [...reason].slice(0, 256).join('');
}

const ROOM_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/;
const MESSAGE_ID = /^[a-zA-Z0-9]{12}$/;

/** A command from outside input, or every problem with it. */
export function parseModeratorCommand(
  kind: string,
  input: unknown,
):
  | { readonly ok: true; readonly command: ModeratorCommand }
  | { readonly ok: false; readonly problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(input)) return { ok: false, problems: ['the request must be a JSON object'] };
  const known = new Set(['roomArn', 'userId', 'messageId', 'reason', 'seconds']);
  for (const field of Object.keys(input)) if (!known.has(field)) problems.push(`${field}: unknown field`);
  const roomArn = text(input.roomArn, 'roomArn', 1, 128, problems);
  if (roomArn !== undefined && !ROOM_ARN.test(roomArn)) problems.push('roomArn: not an IVS Chat room ARN');
  const defaultReason = DEFAULT_REASONS[kind];
  const reason =
    input.reason === undefined && defaultReason !== undefined
      ? defaultReason
      : text(input.reason, 'reason', 1, 256, problems);
  const byMessage = kind === 'delete' || kind === 'approve' || kind === 'reject';
  const needsUser = !byMessage;
  const userId = needsUser ? text(input.userId, 'userId', 1, 128, problems) : undefined;
  if (!needsUser && input.userId !== undefined) problems.push(`userId: not used by ${kind}`);
  let messageId: string | undefined;
  if (byMessage) {
    messageId = text(input.messageId, 'messageId', 12, 12, problems);
    if (messageId !== undefined && !MESSAGE_ID.test(messageId))
      problems.push('messageId: 12 letters and digits');
  } else if (input.messageId !== undefined) problems.push(`messageId: not used by ${kind}`);
  let seconds: number | undefined;
  if (kind === 'timeout') {
    if (
      typeof input.seconds !== 'number' ||
      !Number.isInteger(input.seconds) ||
      input.seconds < 1 ||
      input.seconds > MAX_TIMEOUT_SECONDS
    ) {
      problems.push(`seconds: a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`);
    } else seconds = input.seconds;
  } else if (input.seconds !== undefined) problems.push(`seconds: only a timeout has a length`);
  if (!isCommandKind(kind))
    problems.push(`unknown action "${kind}"; one of ${MODERATOR_COMMANDS.join(', ')}`);
  if (problems.length > 0 || roomArn === undefined || reason === undefined) return { ok: false, problems };
  switch (kind) {
    case 'ban':
    case 'unban':
    case 'disconnect':
      if (userId === undefined) return { ok: false, problems };
      return { ok: true, command: { kind, roomArn, userId, reason } };
    case 'timeout':
      if (userId === undefined || seconds === undefined) return { ok: false, problems };
      return { ok: true, command: { kind, roomArn, userId, seconds, reason } };
    case 'delete':
    case 'approve':
    case 'reject':
      if (messageId === undefined) return { ok: false, problems };
      return { ok: true, command: { kind, roomArn, messageId, reason } };
    default:
      return { ok: false, problems };
  }
}

function isCommandKind(kind: string): kind is ModeratorCommandKind {
  return MODERATOR_COMMANDS.some((known) => known === kind);
}

function text(
  value: unknown,
  field: string,
  min: number,
  max: number,
  problems: string[],
): string | undefined {
  if (typeof value !== 'string') {
    problems.push(`${field}: required, a string`);
    return undefined;
  }
  const length = [...value].length;
  if (length < min || length > max) {
    problems.push(`${field}: ${min === max ? `exactly ${min}` : `${min} to ${max}`} characters`);
    return undefined;
  }
  return value;
}
