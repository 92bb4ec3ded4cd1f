import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { Once } from '../enforcement/execute-actions.js';
import { KeyInProgressError } from '../enforcement/execute-actions.js';
import type { TableDefinition } from './enforcement-table.js';

/**
 * The executor's `Once` on Powertools idempotency (makeIdempotent with its DynamoDBPersistenceLayer):
 * the one adapter for the idempotency table. Per key:
 *
 * - no record (or an expired one): the work runs under an IN_PROGRESS record, which becomes COMPLETED
 *   when it resolves; `{ duplicate: false }`.
 * - COMPLETED: the work does not run; `{ duplicate: true }`.
 * - IN_PROGRESS (another invocation, or a concurrent call in this one, is running it): throws
 *   KeyInProgressError. It is not reported as a duplicate, because that run may yet fail and delete
 *   its record; claiming "done" would drop the action for good. The caller fails the record so the
 *   trigger redelivers it, by which time the other run has finished (duplicate) or failed (runs).
 * - the work throws: the record is deleted and the error rethrown, so a redelivery runs it again.
 *
 * A run that dies without either (timeout, crash) leaves IN_PROGRESS behind. Powertools lets it be
 * taken over once the invocation's remaining time has passed, which it knows only through
 * `registerLambdaContext`; unregistered, the key stays IN_PROGRESS until `expiresAfterSeconds`
 * (and Powertools warns). Handlers register their context on every invocation.
 *
 * At least once, not exactly once: if the work succeeds but marking it COMPLETED fails, a later run
 * after the in-progress lease repeats it. The actions (delete, warn, disconnect, put a sanction) are
 * harmless to repeat; losing one is not.
 */

/** Powertools' defaults: partition key `id`, TTL attribute `expiration` (epoch seconds). */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  keySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  attributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  billingMode: 'PAY_PER_REQUEST',
  ttlAttribute: 'expiration',
};

export interface IdempotentOnceOptions {
  readonly tableName: string;
  /** Default: a client from the Lambda environment (region, credentials). */
  readonly client?: DynamoDBClient;
  /** How long a COMPLETED key is remembered: longer than the trigger can redeliver a record. */
  readonly expiresAfterSeconds: number;
  /**
   * Prefixes every key in the table. Shared by default (not the function name, Powertools' default),
   * so the chat-log and the Firehose consumers act once between them on the same message.
   */
  readonly keyPrefix?: string;
}

/** A Once that can learn the invocation's deadline: see the module comment. */
export type IdempotentOnce = Once & { registerLambdaContext(context: Context): void };

/**
 * @example
 * const once = createIdempotentOnce({ tableName: env.idempotencyTable, expiresAfterSeconds: 86_400 });
 * export const handler = async (event, context) => {
 *   once.registerLambdaContext(context);
 *   await executeActions(plan.actions, { once, ... });
 * };
 */
export function createIdempotentOnce(options: IdempotentOnceOptions): IdempotentOnce {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    ...(options.client === undefined ? {} : { awsSdkV3Client: options.client }),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    // An empty key must fail loudly, not silently run without idempotency (Powertools' default).
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds,
  });
  const keyPrefix = options.keyPrefix ?? 'ivs-chat-moderation.actions';

  const once = async (key: string, work: () => Promise<void>): Promise<{ readonly duplicate: boolean }> => {
    // Powertools hands a duplicate the stored result without calling the function: whether it ran is
    // the only reliable sign, so each call wraps its own work.
    let ran = false;
    const run = makeIdempotent(
      async (_payload: { readonly key: string }) => {
        await work();
        ran = true;
      },
      { persistenceStore, config, keyPrefix },
    );
    try {
      await run({ key });
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError)
        throw new KeyInProgressError(key, { cause: error });
      throw error;
    }
    return { duplicate: !ran };
  };
  return Object.assign(once, {
    registerLambdaContext(context: Context) {
      config.registerLambdaContext(context);
    },
  });
}
