import type { DesiredReviewHandler, DesiredRoom, RoomManifest, RoomSelector, Tags } from './room-manifest.js';

/** What a selector looks at. */
export interface SelectableRoom {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tags;
}

/**
 * Whether `selector` picks `room`: `all`, or every condition it gives. A selector
 * with no condition picks nothing (validation refuses it; this keeps a hand-built
 * one from selecting the whole fleet by accident).
 */
export function selects(selector: RoomSelector, room: SelectableRoom): boolean {
  if (selector.all === true) return true;
  const { tags, namePrefix, arns } = selector;
  if (tags === undefined && namePrefix === undefined && arns === undefined) return false;
  if (tags !== undefined) {
    for (const [key, value] of Object.entries(tags)) {
      if (!Object.hasOwn(room.tags, key) || room.tags[key] !== value) return false;
    }
  }
  if (namePrefix !== undefined && !room.name.startsWith(namePrefix)) return false;
  if (arns !== undefined && !arns.includes(room.arn)) return false;
  return true;
}

/**
 * Merges every entry that selects `room`, in file order: for each field the last
 * entry that sets it wins; tags merge by key; a later entry's tags cancel an
 * earlier removal of the same key and a later removal cancels an earlier tag;
 * a later entry's logging configurations replace an earlier one's.
 * Undefined when no entry selects the room: the reconciler leaves it alone.
 */
export function resolveDesiredRoom(manifest: RoomManifest, room: SelectableRoom): DesiredRoom | undefined {
  let selected = false;
  let policy: string | undefined;
  let reviewHandler: DesiredReviewHandler | undefined;
  let maximumMessageLength: number | undefined;
  let maximumMessageRatePerSecond: number | undefined;
  let loggingConfigurations: readonly string[] | undefined;
  const tags = new Map<string, string>();
  const removeTags = new Set<string>();
  for (const entry of manifest.rooms) {
    if (!selects(entry.select, room)) continue;
    selected = true;
    policy = entry.policy ?? policy;
    reviewHandler = entry.reviewHandler ?? reviewHandler;
    maximumMessageLength = entry.maximumMessageLength ?? maximumMessageLength;
    maximumMessageRatePerSecond = entry.maximumMessageRatePerSecond ?? maximumMessageRatePerSecond;
    loggingConfigurations = entry.loggingConfigurations ?? loggingConfigurations;
    for (const [key, value] of Object.entries(entry.tags ?? {})) {
      tags.set(key, value);
      removeTags.delete(key);
    }
    for (const key of entry.removeTags ?? []) {
      removeTags.add(key);
      tags.delete(key);
    }
  }
  if (!selected) return undefined;
  return {
    ...(policy === undefined ? {} : { policy }),
    ...(reviewHandler === undefined ? {} : { reviewHandler }),
    ...(maximumMessageLength === undefined ? {} : { maximumMessageLength }),
    ...(maximumMessageRatePerSecond === undefined ? {} : { maximumMessageRatePerSecond }),
    ...(loggingConfigurations === undefined ? {} : { loggingConfigurations }),
    tags: Object.fromEntries(tags),
    removeTags: [...removeTags],
  };
}

/** Whether planning the room needs its current limits, which only GetRoom returns (ListRooms does not). */
export function needsLimits(desired: DesiredRoom): boolean {
  return desired.maximumMessageLength !== undefined || desired.maximumMessageRatePerSecond !== undefined;
}
