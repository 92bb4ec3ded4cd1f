import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

/**
 * The shape of the project's DynamoDB tables, written once so that
 * serverless.yml (CloudFormation `AWS::DynamoDB::Table`), the local stack and
 * the dynalite tests create the same tables.
 */

export interface TableDefinition {
  readonly keySchema: readonly { readonly AttributeName: string; readonly KeyType: 'HASH' | 'RANGE' }[];
  /** Only the key attributes: DynamoDB rejects definitions of attributes no key or index uses. */
  readonly attributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: 'S' }[];
  readonly billingMode: 'PAY_PER_REQUEST';
  /** Epoch seconds; DynamoDB deletes an item some time (up to days) after it passes. */
  readonly ttlAttribute: string;
}

/**
 * The enforcement table: one partition per room, so a batch (always one room's messages) reads and
 * writes inside one partition. See dynamodb-enforcement-store.ts for the items.
 */
export const ENFORCEMENT_TABLE: TableDefinition = {
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  billingMode: 'PAY_PER_REQUEST',
  ttlAttribute: 'expiresAt',
};

/**
 * Creates `tableName` with `definition` and waits until it is usable: for tests and the local stack
 * (deployed tables come from serverless.yml). It does not turn TTL on: dynalite has no
 * UpdateTimeToLive, so the stores filter expired items on read themselves (they must anyway, since
 * DynamoDB deletes expired items late) and the TTL attribute matters only to a deployed table.
 *
 * @example
 * await createTable(new DynamoDBClient({ endpoint }), 'enforcement', ENFORCEMENT_TABLE);
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: definition.keySchema.map((key) => ({ ...key })),
      AttributeDefinitions: definition.attributeDefinitions.map((attribute) => ({ ...attribute })),
      BillingMode: definition.billingMode,
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
}
