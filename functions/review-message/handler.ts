import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import reviewPolicy, { compileRegex } from '#review-policy';
import { readReviewSettings, readSanctionSettings } from '../../shared/config/env.js';
import { isRecord } from '../../shared/guards.js';
import { logger } from '../../shared/observability/logger.js';
import type { ReviewResponse } from '../../shared/review/review-contract.js';
import type { ReviewOutcome } from '../../shared/review/review-message.js';
import { reviewMessage } from '../../shared/review/review-message.js';
import type { SanctionLookup } from '../../shared/review/sanction-cache.js';
import { SanctionCache } from '../../shared/review/sanction-cache.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { createSanctionReader } from '../../shared/store/sanction-reader.js';

const policy = compilePolicy(reviewPolicy, { compileRegex });
const settings = readReviewSettings();
const sanctionSettings = readSanctionSettings();
if (sanctionSettings.warning !== undefined) logger.warn(sanctionSettings.warning);
/** Timeouts and bans from the chat log consumers; off when the stage has no enforcement table. */
const sanctions =
  sanctionSettings.settings === undefined
    ? undefined
    : new SanctionCache(createSanctionReader(sanctionSettings.settings));

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
  sanctionLookup: SanctionLookup['source'] | undefined,
): void {
  const fields = { result, ruleIds, messageId, roomArn, userId, policy: policy.name, sanctionLookup };
  if (error !== undefined) logger.error('review failed', { ...fields, failure, error });
  else if (failure !== undefined) logger.warn('message not reviewable', { ...fields, failure });
  else if (result === 'ALLOW') logger.debug('message reviewed', fields);
  else logger.info('message moderated', fields);
}

async function reviewHandler(event: unknown): Promise<ReviewResponse> {
  const lookup = await lookUpSanction(event);
  const outcome = reviewMessage(event, policy, settings, lookup?.sanction);
  logOutcome(outcome, lookup?.source);
  return outcome.response;
}

export const handler = middy<unknown, ReviewResponse>()
  .use(injectLambdaContext(logger))
  .handler(reviewHandler);
