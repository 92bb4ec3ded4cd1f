import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import reviewPolicy, { compileRegex } from '#review-policy';
import { readReviewSettings } from '../../shared/config/env.js';
import { logger } from '../../shared/observability/logger.js';
import type { ReviewResponse } from '../../shared/review/review-contract.js';
import type { ReviewOutcome } from '../../shared/review/review-message.js';
import { reviewMessage } from '../../shared/review/review-message.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';

const policy = compilePolicy(reviewPolicy, { compileRegex });
const settings = readReviewSettings();

function logOutcome({ result, ruleIds, messageId, roomArn, userId, failure, error }: ReviewOutcome): void {
  const fields = { result, ruleIds, messageId, roomArn, userId, policy: policy.name };
  if (error !== undefined) logger.error('review failed', { ...fields, failure, error });
  else if (failure !== undefined) logger.warn('message not reviewable', { ...fields, failure });
  else if (result === 'ALLOW') logger.debug('message reviewed', fields);
  else logger.info('message moderated', fields);
}

async function reviewHandler(event: unknown): Promise<ReviewResponse> {
  const outcome = reviewMessage(event, policy, settings);
  logOutcome(outcome);
  return outcome.response;
}

export const handler = middy<unknown, ReviewResponse>()
  .use(injectLambdaContext(logger))
  .handler(reviewHandler);
