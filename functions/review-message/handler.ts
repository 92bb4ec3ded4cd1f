import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import reviewPolicy, { compileRegex, roomPolicies } from '#review-policy';
import {
  readHeldRetentionMillis,
  readReviewSettings,
  readSanctionSettings,
} from '../../shared/config/env.js';
import { isRecord } from '../../shared/guards.js';
import { logger } from '../../shared/observability/logger.js';
import { publishMetricLines } from '../../shared/observability/publish-metric-lines.js';
import { reviewMetricLines } from '../../shared/observability/review-metrics.js';
import type { BoundedLookup } from '../../shared/review/bounded-cache.js';
import { BoundedCache } from '../../shared/review/bounded-cache.js';
import type { ReviewResponse } from '../../shared/review/review-contract.js';
import type { ReviewOutcome } from '../../shared/review/review-message.js';
import { reviewMessage } from '../../shared/review/review-message.js';
import type { SanctionLookup } from '../../shared/review/sanction-cache.js';
import { SanctionCache } from '../../shared/review/sanction-cache.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { RoomPolicies } from '../../shared/rules/room-policies.js';
import {
  createHeldMessageWriter,
  createRoomPolicyReader,
  createSanctionReader,
} from '../../shared/store/sanction-reader.js';

const policies = new RoomPolicies(compilePolicy(reviewPolicy, { compileRegex }), roomPolicies, (document) =>
  compilePolicy(document, { compileRegex }),
);
const settings = readReviewSettings();
const sanctionSettings = readSanctionSettings();
if (sanctionSettings.warning !== undefined) logger.warn(sanctionSettings.warning);
/** Timeouts and bans from the chat log consumers; off when the stage has no enforcement table. */
const sanctions =
  sanctionSettings.settings === undefined
    ? undefined
    : new SanctionCache(createSanctionReader(sanctionSettings.settings));
/**
 * Rooms' policy assignments, published by the reconciler; read only when the manifest names policies, at
 * most once per room every 30 s, alongside the sanction read. A miss waits up to 50 ms (a room's first
 * message in a container; the sanction read's 25 ms runs within it); an assignment not read in time gives
 * the last one read, or the default policy, and the read goes on to fill the cache for the next message.
 */
const assignments =
  sanctionSettings.settings === undefined || !policies.hasNamedPolicies
    ? undefined
    : new BoundedCache(createRoomPolicyReader(sanctionSettings.settings), {
        budgetMs: 50,
        ttlMs: () => 30_000,
        errorTtlMs: 5_000,
        maxEntries: 10_000,
      });

const heldRetentionMillis = readHeldRetentionMillis();
const storeHeld =
  sanctionSettings.settings === undefined ? undefined : createHeldMessageWriter(sanctionSettings.settings);
/** The write of a held message waits at most this long: the sender is refused either way. */
const HOLD_BUDGET_MS = 60;

/**
 * Keeps a held message for moderators, within the budget. When it cannot be stored (or there is no table)
 * the message stays refused and is not kept: review's answer cannot wait, and an unreviewed message must
 * not reach the room. A write not answered in time is not abandoned: it may still land (in Lambda, if the
 * sandbox runs long enough), so the log says it is unconfirmed rather than lost. Either way, by id.
 */
async function keepHeld(outcome: ReviewOutcome): Promise<void> {
  const { held } = outcome;
  if (held === undefined) return;
  if (storeHeld === undefined) {
    logger.warn('held message not kept: no enforcement table', {
      messageId: held.messageId,
      roomArn: held.roomArn,
    });
    return;
  }
  const now = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    storeHeld({ ...held, heldAtMillis: now, expiresAtMillis: now + heldRetentionMillis }).then(
      () => 'stored' as const,
      (error: unknown) => error,
    ),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), HOLD_BUDGET_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result === 'timeout') {
    logger.error(`held message not confirmed within ${HOLD_BUDGET_MS} ms: it may not be kept`, {
      messageId: held.messageId,
      roomArn: held.roomArn,
    });
  } else if (result !== 'stored') {
    logger.error('held message not kept', {
      messageId: held.messageId,
      roomArn: held.roomArn,
      error: result,
    });
  }
}

async function lookUpAssignment(event: unknown): Promise<BoundedLookup<string> | undefined> {
  if (assignments === undefined || !isRecord(event) || typeof event.RoomArn !== 'string') return undefined;
  return assignments.lookup(event.RoomArn);
}

/** The sender's sanction in the event's room, within the cache's budget; nothing for an event without the ids. */
async function lookUpSanction(event: unknown): Promise<SanctionLookup | undefined> {
  if (sanctions === undefined || !isRecord(event) || !isRecord(event.Sender)) return undefined;
  const { RoomArn } = event;
  const { UserId } = event.Sender;
  if (typeof RoomArn !== 'string' || typeof UserId !== 'string') return undefined;
  return sanctions.lookup(RoomArn, UserId);
}

function logOutcome(
  { result, ruleIds, messageId, roomArn, userId, failure, error }: ReviewOutcome,
  policy: string,
  sanctionLookup: SanctionLookup['source'] | undefined,
): void {
  const fields = { result, ruleIds, messageId, roomArn, userId, policy, sanctionLookup };
  if (error !== undefined) logger.error('review failed', { ...fields, failure, error });
  else if (failure !== undefined) logger.warn('message not reviewable', { ...fields, failure });
  else if (result === 'ALLOW') logger.debug('message reviewed', fields);
  else logger.info('message moderated', fields);
}

async function reviewHandler(event: unknown): Promise<ReviewResponse> {
  const started = performance.now();
  const [lookup, assignment] = await Promise.all([lookUpSanction(event), lookUpAssignment(event)]);
  const { policy, unknown } = policies.resolve(assignment?.value);
  if (unknown !== undefined)
    logger.warn('room assigned a policy this build does not carry: default applied', { unknown });
  const outcome = reviewMessage(event, policy, settings, lookup?.sanction);
  await keepHeld(outcome);
  logOutcome(outcome, policy.name, lookup?.source);
  publishMetricLines(() =>
    reviewMetricLines(outcome, { latencyMs: performance.now() - started, lookups: [lookup, assignment] }),
  );
  return outcome.response;
}

export const handler = middy<unknown, ReviewResponse>()
  .use(injectLambdaContext(logger))
  .handler(reviewHandler);
