import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HeldMessage } from '../moderation/held-message.js';
import { parseHeldMessage } from '../moderation/held-message.js';
import { heldKey, heldMessageKey } from './held-message-item.js';
import { queryPartition } from './query-partition.js';

export interface HeldMessages {
  /** The room's held messages still within their retention, oldest first. */
  list(roomArn: string, nowMillis: number): Promise<HeldMessage[]>;
  get(roomArn: string, messageId: string, nowMillis: number): Promise<HeldMessage | undefined>;
  remove(roomArn: string, messageId: string): Promise<void>;
}

/** Held messages on the enforcement table (held-message-item.ts); expired ones are filtered (TTL deletes late). */
export function createDynamoDbHeldMessages(options: {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly onInvalidItem?: (problem: string) => void;
}): HeldMessages {
  const { client, tableName } = options;
  const read = (item: unknown, nowMillis: number): HeldMessage | undefined => {
    const held = parseHeldMessage(item);
    if (typeof held === 'string') {
      options.onInvalidItem?.(held);
      return undefined;
    }
    return held.expiresAtMillis > nowMillis ? held : undefined;
  };
  return {
    async list(roomArn, nowMillis) {
      const messages: HeldMessage[] = [];
      for (const item of await queryPartition(client, tableName, heldKey(roomArn))) {
        const held = read(item, nowMillis);
        if (held !== undefined) messages.push(held);
      }
      return messages.sort((a, b) => a.heldAtMillis - b.heldAtMillis);
    },
    async get(roomArn, messageId, nowMillis) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: heldKey(roomArn), sk: heldMessageKey(messageId) },
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : read(Item, nowMillis);
    },
    async remove(roomArn, messageId) {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: heldKey(roomArn), sk: heldMessageKey(messageId) },
        }),
      );
    },
  };
}
