import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import reviewPolicy, { compileRegex, roomPolicies } from '#review-policy';
import { moderateFirehoseBatch } from '../../shared/enforcement/moderate-firehose-batch.js';
import { logger } from '../../shared/observability/logger.js';
import { metrics } from '../../shared/observability/metrics.js';
import {
  createChatLogConsumer,
  recordModeration,
  reportAbandoned,
} from '../../shared/wiring/chat-log-consumer.js';

const { settings, deps, once } = createChatLogConsumer({ policy: reviewPolicy, roomPolicies, compileRegex });

/**
 * Firehose invokes synchronously per buffered batch and retries a failed invocation (three times by
 * default) before it sends the batch to its processing-failed prefix: a batch that is not one, or whose
 * enforcement failed, throws; every record of a batch that is answered comes back by its recordId.
 */
async function moderateChatStream(event: unknown, context: Context): Promise<FirehoseTransformationResult> {
  once.registerLambdaContext(context);
  const result = await moderateFirehoseBatch(event, settings.region, deps, settings.firehoseRoomArn);
  if (result.kind === 'invalid') throw new Error(`not a Firehose transformation event: ${result.reason}`);
  recordModeration({
    records: result.records.length,
    rejectedRecords: result.failed.length,
    refusedEnvelope: false,
    rooms: result.rooms,
  });
  const failedActions = result.rooms.flatMap((room) =>
    room.results.filter((action) => action.status === 'failed'),
  );
  logger.info('chat stream moderated', {
    records: result.records.length,
    processingFailed: result.failed,
    rooms: result.rooms.map((room) => ({
      roomArn: room.roomArn,
      shadow: room.shadow,
      actions: room.plan.actions.length,
      executed: room.results.length,
      replans: room.replans,
      leftPending: room.uncleared,
    })),
    failedActions: failedActions.map((action) => action.action.key),
  });
  reportAbandoned(result.rooms);
  if (failedActions.length > 0)
    throw new Error(`${failedActions.length} enforcement action(s) failed; the batch will be retried`);
  return { records: [...result.records] };
}

export const handler = middy<unknown, FirehoseTransformationResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(moderateChatStream);
