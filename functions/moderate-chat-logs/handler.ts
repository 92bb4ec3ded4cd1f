import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import reviewPolicy, { compileRegex } from '#review-policy';
import { readModerationSettings } from '../../shared/config/env.js';
import type { PacedOperation } from '../../shared/enforcement/execute-actions.js';
import { executeActions } from '../../shared/enforcement/execute-actions.js';
import type { ModerationDeps } from '../../shared/enforcement/moderate-batch.js';
import { moderateLogEvent } from '../../shared/enforcement/moderate-log-event.js';
import { Pacer, SYSTEM_CLOCK } from '../../shared/enforcement/pacer.js';
import { createIvsChatActions } from '../../shared/ivs/ivs-chat-client.js';
import { logger } from '../../shared/observability/logger.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { createDynamoDbEnforcementStore } from '../../shared/store/dynamodb-enforcement-store.js';
import { createIdempotentOnce } from '../../shared/store/idempotent-once.js';

const settings = readModerationSettings();
const policy = compilePolicy(reviewPolicy, { compileRegex });
const dynamoDbClient = new DynamoDBClient({
  region: settings.region,
  ...(settings.dynamoDbEndpoint === undefined ? {} : { endpoint: settings.dynamoDbEndpoint }),
});
const dynamoDb = DynamoDBDocumentClient.from(dynamoDbClient);
const store = createDynamoDbEnforcementStore({ client: dynamoDb, tableName: settings.enforcementTable });
const ivs = createIvsChatActions({ region: settings.region, endpoint: settings.ivsChatEndpoint });
const rate = settings.actionRatePerSecond;
const pacer = new Pacer<PacedOperation>({ DeleteMessage: rate, SendEvent: rate, DisconnectUser: rate });
// A day: far longer than CloudWatch Logs keeps retrying an asynchronous invocation.
const once = createIdempotentOnce({
  tableName: settings.idempotencyTable,
  client: dynamoDbClient,
  expiresAfterSeconds: 86_400,
});
const deps: ModerationDeps = {
  policy,
  store,
  now: Date.now,
  execute: (actions) =>
    executeActions(actions, {
      ports: {
        ...ivs,
        putSanction: (roomArn, userId, sanction) => store.putSanction(roomArn, userId, sanction),
      },
      once,
      pacer,
      clock: SYSTEM_CLOCK,
      random: Math.random,
    }),
};

/** CloudWatch Logs invokes asynchronously: a throw is retried twice, then goes to the on-failure destination. */
async function moderateChatLogs(event: unknown, context: Context): Promise<void> {
  // A run that dies keeps its action keys locked only until its own deadline.
  once.registerLambdaContext(context);
  const result = await moderateLogEvent(event, settings.region, deps);
  const room = result.room;
  const failed = room?.results.filter((action) => action.status === 'failed') ?? [];
  logger.info('chat logs moderated', {
    kind: result.kind,
    reason: result.reason,
    records: result.records,
    rejected: result.rejected,
    roomArn: room?.roomArn,
    shadow: room?.shadow,
    actions: room?.plan.actions.map((action) => ({ kind: action.kind, key: action.key })),
    failed: failed.map((action) => ({
      key: action.action.key,
      error: action.status === 'failed' ? action.error : '',
    })),
  });
  if (failed.length > 0)
    throw new Error(`${failed.length} enforcement action(s) failed; the batch will be redelivered`);
}

export const handler = middy<unknown, void, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(moderateChatLogs);
