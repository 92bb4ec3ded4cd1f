import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';

/**
 * What a failed DynamoDB call says about the table: throttled or transiently unavailable (the SDK's own
 * retries did not get through, but asking again later may), or permanent (a missing table, a bad request,
 * no permission: asking again will not help, and it is a bug or a misconfiguration to alarm on).
 */

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
/** Node's network errors: the endpoint refused, dropped or never answered the connection. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function classifyDynamoDbError(error: unknown): 'throttled' | 'transient' | 'permanent' {
  if (error instanceof DynamoDBServiceException) {
    if (THROTTLING.has(error.name)) return 'throttled';
    const status = error.$metadata.httpStatusCode ?? 0;
    return status >= 500 || error.$fault === 'server' ? 'transient' : 'permanent';
  }
  if (!(error instanceof Error)) return 'permanent';
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return error.name === 'TimeoutError' || NETWORK.has(code) ? 'transient' : 'permanent';
}
