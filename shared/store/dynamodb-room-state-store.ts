import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KnownRoomState, RoomStateStore } from '../rooms/room-state.js';
import { queryPartition } from './query-partition.js';
import { FLEET_PARTITION, parseRoomState, roomStateAttributes, roomStateKey } from './room-state-item.js';

export interface DynamoDbRoomStateStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Told about an item that cannot be read; it counts as no state (the room is read again, nothing is lost). */
  readonly onInvalidItem?: (roomArn: string, problem: string) => void;
}

/** The RoomStateStore on the enforcement table (see room-state-item.ts for the items). */
export function createDynamoDbRoomStateStore(options: DynamoDbRoomStateStoreOptions): RoomStateStore {
  const { client, tableName } = options;
  return {
    async readAll() {
      const states = new Map<string, KnownRoomState>();
      // Consistent: the plan must see what the last run wrote.
      for (const item of await queryPartition(client, tableName, FLEET_PARTITION, { consistent: true })) {
        const sk = item.sk;
        if (typeof sk !== 'string' || !sk.startsWith('ROOM#')) continue;
        const roomArn = sk.slice('ROOM#'.length);
        const state = parseRoomState(item);
        if (typeof state === 'string') options.onInvalidItem?.(roomArn, state);
        else states.set(roomArn, state);
      }
      return states;
    },
    async get(roomArn) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: FLEET_PARTITION, sk: roomStateKey(roomArn) } }),
      );
      if (Item === undefined) return undefined;
      const state = parseRoomState(Item);
      if (typeof state !== 'string') return state;
      options.onInvalidItem?.(roomArn, state);
      return undefined;
    },
    async put(roomArn, state) {
      const key = { pk: FLEET_PARTITION, sk: roomStateKey(roomArn) };
      if (state.policy === undefined && state.limits === undefined) {
        await client.send(new DeleteCommand({ TableName: tableName, Key: key }));
        return;
      }
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...key, ...roomStateAttributes(state) } }),
      );
    },
  };
}
