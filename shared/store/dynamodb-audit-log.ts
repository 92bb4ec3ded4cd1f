import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isRecord } from '../guards.js';
import type { AuditEntry } from '../moderation/moderator-actions.js';
import { MODERATOR_COMMANDS } from '../moderation/moderator-actions.js';
import type { AuditLog } from '../moderation/run-moderator-action.js';
import { queryPartition } from './query-partition.js';

/**
 * The audit log in the enforcement table, one partition per room:
 *
 * | pk               | sk                 | attributes                                                     |
 * |------------------|--------------------|----------------------------------------------------------------|
 * | `AUDIT#<roomArn>`| `REQ#<requestId>`  | atMillis, action, moderatorId, moderatorName?, userId?, messageId?, reason, untilMillis? |
 *
 * Keyed by request id, so a conditional put records a retried request once. Entries never expire: an audit log
 * is kept. Listing reads the room's partition and orders by time (a room's audit log is small next to its chat).
 */
export function createDynamoDbAuditLog(options: {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}): AuditLog {
  const { client, tableName } = options;
  return {
    async record(entry) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: auditKey(entry.roomArn), sk: `REQ#${entry.requestId}`, ...entry },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        );
        return 'recorded';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'duplicate';
        throw error;
      }
    },
    async get(roomArn, requestId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: auditKey(roomArn), sk: `REQ#${requestId}` },
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : parseAuditEntry(Item);
    },
    async list(roomArn, filter = {}) {
      const entries: AuditEntry[] = [];
      for (const item of await queryPartition(client, tableName, auditKey(roomArn))) {
        const entry = parseAuditEntry(item);
        if (entry === undefined) continue;
        if (filter.sinceMillis !== undefined && entry.atMillis < filter.sinceMillis) continue;
        if (filter.userId !== undefined && entry.userId !== filter.userId) continue;
        entries.push(entry);
      }
      return entries.sort((a, b) => a.atMillis - b.atMillis);
    },
  };
}

const auditKey = (roomArn: string) => `AUDIT#${roomArn}`;

/** An item as an entry; an item that is not one (hand-edited, another version) is skipped. */
function parseAuditEntry(item: unknown): AuditEntry | undefined {
  if (!isRecord(item)) return undefined;
  const {
    requestId,
    roomArn,
    atMillis,
    action,
    moderatorId,
    moderatorName,
    userId,
    messageId,
    reason,
    untilMillis,
  } = item;
  const kind = MODERATOR_COMMANDS.find((known) => known === action);
  if (
    typeof requestId !== 'string' ||
    typeof roomArn !== 'string' ||
    typeof atMillis !== 'number' ||
    kind === undefined ||
    typeof moderatorId !== 'string' ||
    typeof reason !== 'string'
  ) {
    return undefined;
  }
  return {
    requestId,
    roomArn,
    atMillis,
    action: kind,
    moderatorId,
    reason,
    ...(typeof moderatorName === 'string' ? { moderatorName } : {}),
    ...(typeof userId === 'string' ? { userId } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(typeof untilMillis === 'number' ? { untilMillis } : {}),
  };
}
