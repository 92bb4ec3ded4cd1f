import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import manifest from '#rooms-manifest';
import { readReconcileSettings } from '../../shared/config/env.js';
import { Pacer, SYSTEM_CLOCK } from '../../shared/enforcement/pacer.js';
import { isRecord } from '../../shared/guards.js';
import { createIvsChatFleet } from '../../shared/ivs/ivs-chat-client.js';
import { logger } from '../../shared/observability/logger.js';
import { metrics } from '../../shared/observability/metrics.js';
import type { FleetOperation } from '../../shared/rooms/reconcile-fleet.js';
import { FLEET_QUOTAS, reconcileFleet } from '../../shared/rooms/reconcile-fleet.js';
import { reconcileMetrics, summarizeReport } from '../../shared/rooms/reconcile-report.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../../shared/rooms/validate-room-manifest.js';
import { createDynamoDbRoomStateStore } from '../../shared/store/dynamodb-room-state-store.js';

const settings = readReconcileSettings();
const fleet = createIvsChatFleet({ region: settings.region, endpoint: settings.ivsChatEndpoint });
const store = createDynamoDbRoomStateStore({
  client: DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: settings.region,
      ...(settings.dynamoDbEndpoint === undefined ? {} : { endpoint: settings.dynamoDbEndpoint }),
    }),
  ),
  tableName: settings.enforcementTable,
  onInvalidItem: (roomArn, problem) =>
    logger.warn('unreadable room state: the room is read again', { roomArn, problem }),
});

/** Time kept back from Lambda's deadline: the report, metrics and logs after the last room. */
const DEADLINE_MARGIN_MS = 10_000;

/**
 * `arn:<partition>:lambda:<region>:<account>:function:<name>`: the review function is in the reconciler's own
 * account and Region, which its own ARN gives. `sls invoke local` passes no ARN; the scheduled event's
 * `account` and `region` say the same.
 */
function reviewFunctionArn(event: unknown, context: Context, name: string): string {
  const ownArn: unknown = context.invokedFunctionArn;
  if (typeof ownArn === 'string') {
    const parts = ownArn.split(':');
    if (parts.length >= 7 && parts[2] === 'lambda') return [...parts.slice(0, 6), name].join(':');
  }
  if (isRecord(event) && typeof event.account === 'string' && typeof event.region === 'string') {
    return `arn:aws:lambda:${event.region}:${event.account}:function:${name}`;
  }
  throw new Error(
    'neither the invocation nor the event says which account and Region the review function is in',
  );
}

/**
 * EventBridge invokes asynchronously; the event carries nothing the run needs. The summary it returns is what
 * `sls invoke` and the local stack show.
 */
async function reconcileRooms(event: unknown, context: Context): Promise<ReturnType<typeof summarizeReport>> {
  const report = await reconcileFleet(
    {
      manifest,
      stage: {
        reviewFunctionArn: reviewFunctionArn(event, context, settings.reviewFunctionName),
        ...(settings.chatLogGroup === undefined ? {} : { logGroupName: settings.chatLogGroup }),
        ...(settings.chatDeliveryStream === undefined
          ? {}
          : { deliveryStreamName: settings.chatDeliveryStream }),
        ownerTag: { key: OWNER_TAG_KEY, value: settings.owner },
        policyTagKey: POLICY_TAG_KEY,
      },
      apply: settings.mode === 'apply',
      force: settings.force,
      deadline: Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS,
    },
    {
      ports: fleet,
      store,
      // The reconciler runs alone (reserved concurrency 1): the whole quota is its own, less what the
      // account's other callers take, which throttling answers and the retries absorb.
      pacer: new Pacer<FleetOperation>(FLEET_QUOTAS, SYSTEM_CLOCK),
      clock: SYSTEM_CLOCK,
      random: Math.random,
    },
  );
  for (const { name, value } of reconcileMetrics(report)) metrics.addMetric(name, MetricUnit.Count, value);
  const summary = summarizeReport(report);
  if (report.failed.length > 0 || report.overBudget) logger.error('rooms reconciled with failures', summary);
  else logger.info('rooms reconciled', summary);
  return summary;
}

export const handler = middy<unknown, ReturnType<typeof summarizeReport>, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(reconcileRooms);
