/**
 * What the reconciler keeps between runs, per room, in the enforcement table:
 * the policy it published (which review and the consumers read) and the
 * room's message limits as GetRoom last showed them, valid while the room's
 * updateTime has not moved. ListRooms summaries carry everything else, so an
 * unchanged room costs no GetRoom (5 TPS) on the next run.
 */

export interface KnownLimits {
  /** The room's updateTime when these were read: a newer one means they may have changed. */
  readonly updateTime: string;
  readonly maximumMessageLength: number;
  readonly maximumMessageRatePerSecond: number;
}

export interface KnownRoomState {
  /** The published policy assignment; absent: the default policy. */
  readonly policy?: string;
  readonly limits?: KnownLimits;
}

export interface RoomStateStore {
  /** Every room's state (a Query of one partition: 10,000 rooms is about 2 MB). */
  readAll(): Promise<Map<string, KnownRoomState>>;
  /** One room's state: what the chat log consumers read for its policy. */
  get(roomArn: string): Promise<KnownRoomState | undefined>;
  /** Replaces the room's state; an empty state deletes it. */
  put(roomArn: string, state: KnownRoomState): Promise<void>;
}

/** In memory: the CLI without a table, and tests. */
export function memoryRoomStateStore(
  initial: ReadonlyMap<string, KnownRoomState> = new Map(),
): RoomStateStore {
  const states = new Map(initial);
  return {
    async readAll() {
      return new Map(states);
    },
    async get(roomArn) {
      return states.get(roomArn);
    },
    async put(roomArn, state) {
      if (state.policy === undefined && state.limits === undefined) states.delete(roomArn);
      else states.set(roomArn, state);
    },
  };
}
