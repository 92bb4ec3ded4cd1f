import { isRecord } from '../guards.js';
import type { KnownRoomState } from '../rooms/room-state.js';

/**
 * The reconciler's per-room items in the enforcement table, without any SDK:
 * the reconciler's store writes them and the review function's light reader
 * reads the policy. All rooms share one partition, so the reconciler reads
 * the whole fleet's state with one paginated Query.
 *
 * | pk      | sk               | attributes                                                                  |
 * |---------|------------------|-----------------------------------------------------------------------------|
 * | `FLEET` | `ROOM#<roomArn>` | policy?, limitsUpdateTime?, maximumMessageLength?, maximumMessageRatePerSecond? |
 */

export const FLEET_PARTITION = 'FLEET';
export const roomStateKey = (roomArn: string) => `ROOM#${roomArn}`;

/** The state an item (attribute values already plain) holds, or what is wrong with it. */
export function parseRoomState(item: unknown): KnownRoomState | string {
  if (!isRecord(item)) return 'not an item';
  const { policy, limitsUpdateTime, maximumMessageLength, maximumMessageRatePerSecond } = item;
  if (policy !== undefined && typeof policy !== 'string') return 'policy is not a string';
  let limits: KnownRoomState['limits'];
  if (limitsUpdateTime !== undefined) {
    if (
      typeof limitsUpdateTime !== 'string' ||
      typeof maximumMessageLength !== 'number' ||
      typeof maximumMessageRatePerSecond !== 'number'
    ) {
      return 'limits are incomplete';
    }
    limits = { updateTime: limitsUpdateTime, maximumMessageLength, maximumMessageRatePerSecond };
  }
  return {
    ...(policy === undefined ? {} : { policy }),
    ...(limits === undefined ? {} : { limits }),
  };
}

/** The item's attributes beyond its key. */
export function roomStateAttributes(state: KnownRoomState): Record<string, string | number> {
  return {
    ...(state.policy === undefined ? {} : { policy: state.policy }),
    ...(state.limits === undefined
      ? {}
      : {
          limitsUpdateTime: state.limits.updateTime,
          maximumMessageLength: state.limits.maximumMessageLength,
          maximumMessageRatePerSecond: state.limits.maximumMessageRatePerSecond,
        }),
  };
}
