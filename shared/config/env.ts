import type { ReviewSettings } from '../review/review-message.js';

/**
 * The only reader of process.env. Each key is documented where it is read and
 * validated once, at cold start: a bad value fails the deploy's first
 * invocation loudly instead of changing behaviour quietly.
 */
function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new Error(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return match;
}

/**
 * REVIEW_FAILURE_RESULT: ALLOW or DENY (default DENY), the verdict for a
 * review event that cannot be reviewed (malformed, oversized, internal error).
 */
export function readReviewSettings(): ReviewSettings {
  return Object.freeze({ failureResult: oneOf('REVIEW_FAILURE_RESULT', ['ALLOW', 'DENY'] as const, 'DENY') });
}

export interface ModerationSettings {
  readonly region: string;
  /** The single table of enforcement state and sanctions. */
  readonly enforcementTable: string;
  /** Powertools idempotency records: one per action key. */
  readonly idempotencyTable: string;
  /** The local emulator's control plane; AWS's endpoint when unset. */
  readonly ivsChatEndpoint: string | undefined;
  /** dynalite in the local stack; AWS's endpoint when unset. */
  readonly dynamoDbEndpoint: string | undefined;
  /** Calls per second per operation for this invocation: the account quota (100) ÷ the consumers' reserved concurrency. */
  readonly actionRatePerSecond: number;
  /** The one room a Firehose stream carries, when IVS writes to it directly (its records name no room). */
  readonly firehoseRoomArn: string | undefined;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set`);
  return value;
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The chat log consumers' settings: AWS_REGION (set by Lambda), ENFORCEMENT_TABLE, IDEMPOTENCY_TABLE (both
 * required), IVSCHAT_ENDPOINT and DYNAMODB_ENDPOINT (local stack only), ACTION_RATE_PER_SECOND (default 25:
 * IVS's 100 per second shared by 4 concurrent invocations, the consumers' reserved concurrency), and for the
 * Firehose consumer FIREHOSE_ROOM_ARN (the room of a stream IVS writes to directly; optional).
 */
export function readModerationSettings(): ModerationSettings {
  // Empty is unset, as for every other key. A fraction is fine: 100 shared by more than 100 invocations.
  const raw = optional('ACTION_RATE_PER_SECOND') ?? '25';
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100) {
    throw new Error(`ACTION_RATE_PER_SECOND must be a number above 0, at most 100 (got "${raw}")`);
  }
  return Object.freeze({
    region: required('AWS_REGION'),
    enforcementTable: required('ENFORCEMENT_TABLE'),
    idempotencyTable: required('IDEMPOTENCY_TABLE'),
    ivsChatEndpoint: optional('IVSCHAT_ENDPOINT'),
    dynamoDbEndpoint: optional('DYNAMODB_ENDPOINT'),
    actionRatePerSecond: rate,
    firehoseRoomArn: optional('FIREHOSE_ROOM_ARN'),
  });
}

export interface SanctionSettings {
  readonly tableName: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string | undefined;
  };
}

/**
 * The review function's sanction lookups: on when ENFORCEMENT_TABLE is set (the stack sets it), with the
 * credentials Lambda puts in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * AWS_REGION and, locally, DYNAMODB_ENDPOINT. Without a table they are off; without credentials (only outside
 * Lambda, e.g. `sls invoke local` offline) they are off with a warning, since review must still answer.
 */
export function readSanctionSettings(): { readonly settings?: SanctionSettings; readonly warning?: string } {
  const tableName = optional('ENFORCEMENT_TABLE');
  if (tableName === undefined) return {};
  const accessKeyId = optional('AWS_ACCESS_KEY_ID');
  const secretAccessKey = optional('AWS_SECRET_ACCESS_KEY');
  const region = optional('AWS_REGION');
  if (accessKeyId === undefined || secretAccessKey === undefined || region === undefined) {
    return { warning: 'sanction lookups are off: no AWS credentials or region in the environment' };
  }
  return {
    settings: Object.freeze({
      tableName,
      region,
      endpoint: optional('DYNAMODB_ENDPOINT'),
      credentials: { accessKeyId, secretAccessKey, sessionToken: optional('AWS_SESSION_TOKEN') },
    }),
  };
}

export interface ReconcileSettings {
  readonly region: string;
  /** The enforcement table: the reconciler keeps each room's published policy and known limits there. */
  readonly enforcementTable: string;
  readonly ivsChatEndpoint: string | undefined;
  readonly dynamoDbEndpoint: string | undefined;
  /** The stage's review function, by name: its ARN is built from the reconciler's own (same account and Region). */
  readonly reviewFunctionName: string;
  readonly chatLogGroup: string | undefined;
  readonly chatDeliveryStream: string | undefined;
  /** The owner tag's value on logging configurations this stage creates. */
  readonly owner: string;
  /** apply (converge) or plan (log the plan, change nothing). */
  readonly mode: 'apply' | 'plan';
  /** Apply plans larger than the manifest's change budget. */
  readonly force: boolean;
}

/**
 * The reconciler's settings: AWS_REGION, ENFORCEMENT_TABLE, REVIEW_FUNCTION_NAME and RECONCILE_OWNER
 * (required), CHAT_LOG_GROUP and CHAT_DELIVERY_STREAM (the stage's logging destinations), RECONCILE_MODE
 * (apply or plan, default apply), RECONCILE_FORCE (true or false, default false), IVSCHAT_ENDPOINT and
 * DYNAMODB_ENDPOINT (local stack only).
 */
export function readReconcileSettings(): ReconcileSettings {
  return Object.freeze({
    region: required('AWS_REGION'),
    enforcementTable: required('ENFORCEMENT_TABLE'),
    ivsChatEndpoint: optional('IVSCHAT_ENDPOINT'),
    dynamoDbEndpoint: optional('DYNAMODB_ENDPOINT'),
    reviewFunctionName: required('REVIEW_FUNCTION_NAME'),
    chatLogGroup: optional('CHAT_LOG_GROUP'),
    chatDeliveryStream: optional('CHAT_DELIVERY_STREAM'),
    owner: required('RECONCILE_OWNER'),
    mode: oneOf('RECONCILE_MODE', ['apply', 'plan'] as const, 'apply'),
    force: oneOf('RECONCILE_FORCE', ['true', 'false'] as const, 'false') === 'true',
  });
}

export interface ModeratorSettings {
  readonly region: string;
  readonly enforcementTable: string;
  readonly idempotencyTable: string;
  readonly ivsChatEndpoint: string | undefined;
  readonly dynamoDbEndpoint: string | undefined;
}

/**
 * The token and moderator API functions' settings: AWS_REGION, ENFORCEMENT_TABLE (sanctions, strikes, the audit
 * log) and IDEMPOTENCY_TABLE (required), IVSCHAT_ENDPOINT and DYNAMODB_ENDPOINT (local stack only).
 */
export function readModeratorSettings(): ModeratorSettings {
  return Object.freeze({
    region: required('AWS_REGION'),
    enforcementTable: required('ENFORCEMENT_TABLE'),
    idempotencyTable: required('IDEMPOTENCY_TABLE'),
    ivsChatEndpoint: optional('IVSCHAT_ENDPOINT'),
    dynamoDbEndpoint: optional('DYNAMODB_ENDPOINT'),
  });
}

/**
 * HELD_RETENTION_HOURS (default 72, at most 720): how long a held message (its content is personal data) waits
 * for a moderator before it is deleted unreviewed.
 */
export function readHeldRetentionMillis(): number {
  const raw = optional('HELD_RETENTION_HOURS') ?? '72';
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > 720) {
    throw new Error(`HELD_RETENTION_HOURS must be a whole number from 1 to 720 (got "${raw}")`);
  }
  return hours * 3_600_000;
}
