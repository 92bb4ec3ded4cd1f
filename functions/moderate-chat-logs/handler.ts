import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import reviewPolicy, { compileRegex, roomPolicies } from '#review-policy';
import { readModerationSettings } from '../../shared/config/env.js';
import { moderateLogEvent } from '../../shared/enforcement/moderate-log-event.js';
import { logger } from '../../shared/observability/logger.js';
import { metrics } from '../../shared/observability/metrics.js';
import {
  actionMetricLines,
  moderationMetrics,
  roomOutcomes,
} from '../../shared/observability/moderation-metrics.js';
import { publishMetricLines } from '../../shared/observability/publish-metric-lines.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { RoomPolicies } from '../../shared/rules/room-policies.js';
import { createModerationDeps } from '../../shared/wiring/moderation-deps.js';

const settings = readModerationSettings();
const policies = new RoomPolicies(compilePolicy(reviewPolicy, { compileRegex }), roomPolicies, (document) =>
  compilePolicy(document, { compileRegex }),
);
const { deps, once } = createModerationDeps(settings, policies, (roomArn, unknown) =>
  logger.warn('room assigned a policy this build does not carry: default applied', { roomArn, unknown }),
);

/** CloudWatch Logs invokes asynchronously: a throw is retried twice, then goes to the on-failure destination. */
async function moderateChatLogs(event: unknown, context: Context): Promise<void> {
  // A run that dies keeps its action keys locked only until its own deadline.
  once.registerLambdaContext(context);
  const result = await moderateLogEvent(event, settings.region, deps);
  const room = result.room;
  const failed = room?.results.filter((action) => action.status === 'failed') ?? [];
  for (const { name, value } of moderationMetrics({
    records: result.records,
    rejectedRecords: result.rejected.length,
    refusedEnvelope: result.kind === 'invalid',
    rooms: room === undefined ? [] : [room],
  })) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
  publishMetricLines(() => actionMetricLines(roomOutcomes(room === undefined ? [] : [room])));
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
  .use(logMetrics(metrics))
  .handler(moderateChatLogs);
