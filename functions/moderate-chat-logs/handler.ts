import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import reviewPolicy, { compileRegex, roomPolicies } from '#review-policy';
import { moderateLogEvent } from '../../shared/enforcement/moderate-log-event.js';
import { logger } from '../../shared/observability/logger.js';
import { metrics } from '../../shared/observability/metrics.js';
import {
  createChatLogConsumer,
  recordModeration,
  reportAbandoned,
} from '../../shared/wiring/chat-log-consumer.js';

const { settings, deps, once } = createChatLogConsumer({ policy: reviewPolicy, roomPolicies, compileRegex });

/** CloudWatch Logs invokes asynchronously: a throw is retried twice, then goes to the on-failure destination. */
async function moderateChatLogs(event: unknown, context: Context): Promise<void> {
  // A run that dies keeps its action keys locked only until its own deadline.
  once.registerLambdaContext(context);
  const result = await moderateLogEvent(event, settings.region, deps);
  const room = result.room;
  const failed = room?.results.filter((action) => action.status === 'failed') ?? [];
  recordModeration({
    records: result.records,
    rejectedRecords: result.rejected.length,
    refusedEnvelope: result.kind === 'invalid',
    rooms: room === undefined ? [] : [room],
  });
  logger.info('chat logs moderated', {
    kind: result.kind,
    reason: result.reason,
    records: result.records,
    rejected: result.rejected,
    roomArn: room?.roomArn,
    shadow: room?.shadow,
    actions: room?.plan.actions.map((action) => ({ kind: action.kind, key: action.key })),
    executed: room?.results.length,
    replans: room?.replans,
    leftPending: room?.uncleared,
    failed: failed.map((action) => ({
      key: action.action.key,
      error: action.status === 'failed' ? action.error : '',
    })),
  });
  reportAbandoned(room === undefined ? [] : [room]);
  if (failed.length > 0)
    throw new Error(`${failed.length} enforcement action(s) failed; the batch will be redelivered`);
}

export const handler = middy<unknown, void, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(moderateChatLogs);
