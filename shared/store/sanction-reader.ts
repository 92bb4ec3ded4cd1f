import { AwsClient } from 'aws4fetch';
import type { Sanction } from '../enforcement/escalation.js';
import { isRecord } from '../guards.js';
import { parseSanction, roomKey, sanctionKey } from './sanction-item.js';

/**
 * The review function's only DynamoDB call, GetItem of a sanction, made with
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

export function createSanctionReader(options: SanctionReaderOptions): ReadSanction {
  const client = new AwsClient({
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
  const url = options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com/`;
  return async (roomArn, userId) => {
    const response = await client.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: JSON.stringify({
        TableName: options.tableName,
        Key: { pk: { S: roomKey(roomArn) }, sk: { S: sanctionKey(userId) } },
      }),
    });
    const body: unknown = await response.json();
    if (!response.ok) {
      const type =
        isRecord(body) && typeof body.__type === 'string' ? body.__type : `HTTP ${response.status}`;
      throw new Error(`GetItem failed: ${type}`);
    }
    if (!isRecord(body) || body.Item === undefined) return undefined;
    const sanction = parseSanction(plainItem(body.Item));
    if (typeof sanction === 'string') throw new Error(`malformed sanction item: ${sanction}`);
    return sanction;
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
