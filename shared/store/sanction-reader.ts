import { AwsClient } from 'aws4fetch';
import type { Sanction } from '../enforcement/escalation.js';
import { isRecord } from '../guards.js';
import type { HeldMessage } from '../moderation/held-message.js';
import { heldMessageDynamoItem } from './held-message-item.js';
import { FLEET_PARTITION, parseRoomState, roomStateKey } from './room-state-item.js';
import { parseSanction, roomKey, sanctionKey } from './sanction-item.js';

/**
 * The review function's DynamoDB calls, GetItem of a sanction or of a room's
 * policy assignment, made with
 * aws4fetch (SigV4 over fetch, about 10 KB) rather than the SDK's DynamoDB
 * client: that one bundles to about 560 KB and costs about 85 ms to import,
 * more than the whole rest of the review cold start. Eventually consistent:
 * a sanction reaches review a moment late at worst, at half the read cost.
 */

export interface SanctionReaderOptions {
  readonly tableName: string;
  readonly region: string;
  /** dynalite locally; DynamoDB's regional endpoint when absent. */
  readonly endpoint?: string | undefined;
  /** Lambda's execution role credentials, from its environment. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string | undefined;
  };
}

export type ReadSanction = (roomArn: string, userId: string) => Promise<Sanction | undefined>;
/** The room's published policy assignment (room-state-item.ts); undefined: the default policy. */
export type ReadRoomPolicy = (roomArn: string) => Promise<string | undefined>;

/** One GetItem of the table by key, its string and number attributes as plain values. */
type GetItem = (
  pk: string,
  sk: string,
  projection?: readonly string[],
) => Promise<Record<string, unknown> | undefined>;

function signingClient(options: SanctionReaderOptions): AwsClient {
  return new AwsClient({
    accessKeyId: options.credentials.accessKeyId,
    secretAccessKey: options.credentials.secretAccessKey,
    ...(options.credentials.sessionToken === undefined
      ? {}
      : { sessionToken: options.credentials.sessionToken }),
    service: 'dynamodb',
    region: options.region,
    // The cache retries on its own schedule; a retry here would only outlive the lookup's budget.
    retries: 0,
  });
}

function endpointOf(options: SanctionReaderOptions): string {
  return options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com/`;
}

function createItemGetter(options: SanctionReaderOptions): GetItem {
  const client = signingClient(options);
  const url = endpointOf(options);
  return async (pk, sk, projection) => {
    const response = await client.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: JSON.stringify({
        TableName: options.tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ...(projection === undefined ? {} : { ProjectionExpression: projection.join(', ') }),
      }),
    });
    const body: unknown = await response.json();
    if (!response.ok) {
      const type =
        isRecord(body) && typeof body.__type === 'string' ? body.__type : `HTTP ${response.status}`;
      throw new Error(`GetItem failed: ${type}`);
    }
    if (!isRecord(body) || body.Item === undefined) return undefined;
    return plainItem(body.Item);
  };
}

/** Stores a held message (PutItem); the review function's only write, made only for a `hold` verdict. */
export function createHeldMessageWriter(
  options: SanctionReaderOptions,
): (held: HeldMessage) => Promise<void> {
  const client = signingClient(options);
  const url = endpointOf(options);
  return async (held) => {
    const response = await client.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: JSON.stringify({ TableName: options.tableName, Item: heldMessageDynamoItem(held) }),
    });
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined);
      const type =
        isRecord(body) && typeof body.__type === 'string' ? body.__type : `HTTP ${response.status}`;
      throw new Error(`PutItem failed: ${type}`);
    }
  };
}

export function createSanctionReader(options: SanctionReaderOptions): ReadSanction {
  const getItem = createItemGetter(options);
  return async (roomArn, userId) => {
    const item = await getItem(roomKey(roomArn), sanctionKey(userId));
    if (item === undefined) return undefined;
    const sanction = parseSanction(item);
    if (typeof sanction === 'string') throw new Error(`malformed sanction item: ${sanction}`);
    return sanction;
  };
}

export function createRoomPolicyReader(options: SanctionReaderOptions): ReadRoomPolicy {
  const getItem = createItemGetter(options);
  return async (roomArn) => {
    const item = await getItem(FLEET_PARTITION, roomStateKey(roomArn), ['policy']);
    if (item === undefined) return undefined;
    const state = parseRoomState(item);
    if (typeof state === 'string') throw new Error(`malformed room state item: ${state}`);
    return state.policy;
  };
}

/** DynamoDB JSON (`{"S": "…"}`, `{"N": "…"}`) to plain values, for the string and number attributes a sanction has. */
function plainItem(item: unknown): Record<string, unknown> {
  if (!isRecord(item)) return {};
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!isRecord(value)) continue;
    if (typeof value.S === 'string') plain[name] = value.S;
    else if (typeof value.N === 'string') plain[name] = Number(value.N);
  }
  return plain;
}
