import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ModerationSettings } from '../config/env.js';
import { readModerationSettings } from '../config/env.js';
import type { ModerationDeps, RoomModeration } from '../enforcement/moderate-batch.js';
import { logger } from '../observability/logger.js';
import { metrics } from '../observability/metrics.js';
import { actionMetricLines, moderationMetrics, roomOutcomes } from '../observability/moderation-metrics.js';
import { publishMetricLines } from '../observability/publish-metric-lines.js';
import type { PolicyDocument } from '../policy/policy-document.js';
import type { RegexCompiler } from '../rules/compile-policy.js';
import { compilePolicy } from '../rules/compile-policy.js';
import { RoomPolicies } from '../rules/room-policies.js';
import type { IdempotentOnce } from '../store/idempotent-once.js';
import { createModerationDeps } from './moderation-deps.js';

/**
 * What both chat log consumers (functions/moderate-chat-logs and functions/moderate-chat-stream) build once
 * per cold start and record per invocation: one enforcement behind two triggers, so the two cannot drift.
 */
export interface ChatLogConsumer {
  readonly settings: ModerationSettings;
  readonly deps: ModerationDeps;
  readonly once: IdempotentOnce;
}

/** The policies the build inlined (`#review-policy`): the default, the rooms manifest's named ones, the regex engine. */
export interface BundledPolicies {
  readonly policy: PolicyDocument;
  readonly roomPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly compileRegex: RegexCompiler | undefined;
}

export function createChatLogConsumer({
  policy,
  roomPolicies,
  compileRegex,
}: BundledPolicies): ChatLogConsumer {
  const settings = readModerationSettings();
  const compile = (document: PolicyDocument) => compilePolicy(document, { compileRegex });
  const policies = new RoomPolicies(compile(policy), roomPolicies, compile);
  const { deps, once } = createModerationDeps(settings, policies, (roomArn, unknown) =>
    logger.warn('room assigned a policy this build does not carry: default applied', { roomArn, unknown }),
  );
  return { settings, deps, once };
}

/**
 * The invocation's counts into the handler's metrics (flushed by logMetrics when it ends), and one line per
 * action type and outcome at once.
 */
export function recordModeration(input: Parameters<typeof moderationMetrics>[0]): void {
  for (const { name, value } of moderationMetrics(input)) metrics.addMetric(name, MetricUnit.Count, value);
  publishMetricLines(() => actionMetricLines(roomOutcomes(input.rooms)));
}

/** Pending actions dropped unexecuted are enforcement lost: an ERROR line each room, beside ActionsAbandoned. */
export function reportAbandoned(rooms: readonly RoomModeration[]): void {
  for (const room of rooms) {
    if (room.abandoned.length > 0)
      logger.error('pending actions abandoned unexecuted', {
        roomArn: room.roomArn,
        abandoned: room.abandoned.map((action) => ({ kind: action.kind, key: action.key })),
      });
  }
}
