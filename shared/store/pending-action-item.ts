import type { PendingAction } from '../enforcement/enforcement-store.js';
import type { PlannedAction } from '../enforcement/plan-enforcement.js';
import { isRecord } from '../guards.js';
import { parseSanction } from './sanction-item.js';

/**
 * A pending action as a user item lists it (`pending`), without any SDK: a map of the action's own fields and
 * when it was planned. The room and the user are the item's keys, so they are not repeated.
 */
export function pendingActionItem({ action, plannedAtMillis }: PendingAction): Record<string, unknown> {
  const { roomArn: _room, userId: _user, ...fields } = action;
  return { ...fields, plannedAtMillis };
}

/** The pending action a listed map (attribute values already plain) holds, or what is wrong with it. */
export function parsePendingAction(item: unknown, roomArn: string, userId: string): PendingAction | string {
  if (!isRecord(item)) return 'not a map';
  const { key, kind, messageId, plannedAtMillis, reason } = item;
  if (typeof key !== 'string' || key === '') return 'key is not a string';
  if (typeof messageId !== 'string') return 'messageId is not a string';
  if (typeof plannedAtMillis !== 'number' || !Number.isFinite(plannedAtMillis))
    return 'plannedAtMillis is not a number';
  const base = { key, roomArn, userId, messageId };
  const action = parseAction(kind, item, base, reason);
  return typeof action === 'string' ? action : { action, plannedAtMillis };
}

function parseAction(
  kind: unknown,
  item: Record<string, unknown>,
  base: { key: string; roomArn: string; userId: string; messageId: string },
  reason: unknown,
): PlannedAction | string {
  switch (kind) {
    case 'sanction': {
      const sanction = parseSanction(item.sanction);
      return typeof sanction === 'string' ? `sanction: ${sanction}` : { ...base, kind, sanction };
    }
    case 'delete-message':
    case 'disconnect':
      return typeof reason === 'string' ? { ...base, kind, reason } : 'reason is not a string';
    case 'warn': {
      const { eventName, strikes } = item;
      if (typeof reason !== 'string') return 'reason is not a string';
      if (typeof eventName !== 'string') return 'eventName is not a string';
      if (!Number.isSafeInteger(strikes) || typeof strikes !== 'number') return 'strikes is not an integer';
      return { ...base, kind, reason, eventName, strikes };
    }
    default:
      return 'kind is not delete-message, warn, disconnect or sanction';
  }
}
