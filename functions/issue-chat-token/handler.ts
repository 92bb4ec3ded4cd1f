import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { readModeratorSettings } from '../../shared/config/env.js';
import type { Sanction } from '../../shared/enforcement/escalation.js';
import type { HttpResponse } from '../../shared/http/http-api-event.js';
import { json, readHttpRequest } from '../../shared/http/http-api-event.js';
import { classifyIvsChatError, createChatTokenIssuer } from '../../shared/ivs/ivs-chat-client.js';
import { parseChatTokenRequest, refusalFor } from '../../shared/moderation/chat-token-request.js';
import { logger } from '../../shared/observability/logger.js';
import { createDynamoDbEnforcementStore } from '../../shared/store/dynamodb-enforcement-store.js';
import { classifyDynamoDbError } from '../../shared/store/dynamodb-errors.js';

const settings = readModeratorSettings();
const store = createDynamoDbEnforcementStore({
  client: DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: settings.region,
      ...(settings.dynamoDbEndpoint === undefined ? {} : { endpoint: settings.dynamoDbEndpoint }),
    }),
  ),
  tableName: settings.enforcementTable,
});
const issue = createChatTokenIssuer({ region: settings.region, endpoint: settings.ivsChatEndpoint });

/**
 * POST /tokens, IAM-authorized: only the operator's backend calls it. Refuses a banned or timed-out user (403,
 * with the expiry); otherwise CreateChatToken with the requested capabilities, session length and the
 * server-minted attributes. When the sanctions cannot be read (DynamoDB throttled or unreachable) it issues
 * nothing and answers 503; when IVS fails after the SDK's three attempts, 503 too (502 for a permanent error).
 */
async function issueChatToken(event: unknown): Promise<HttpResponse> {
  const request = readHttpRequest(event);
  if (request === undefined) return json(400, { error: 'bad-request', problems: ['not an HTTP API event'] });
  if (request.bodyInvalid)
    return json(400, { error: 'bad-request', problems: ['the body is not JSON (or over 16 KB)'] });
  const parsed = parseChatTokenRequest(request.body);
  if (!parsed.ok) return json(400, { error: 'bad-request', problems: parsed.problems });
  const { roomArn, userId } = parsed.request;
  // Strongly consistent: a ban must hold from the moment the moderator's call returned.
  let sanction: Sanction | undefined;
  try {
    sanction = await store.getSanction(roomArn, userId);
  } catch (error) {
    if (classifyDynamoDbError(error) === 'permanent') throw error;
    // Fail closed: without the sanctions, a banned user would get back in.
    logger.error('sanctions unreadable: no token issued', { roomArn, userId, error });
    return json(503, { error: 'sanctions-unavailable', message: 'sanctions could not be read; try again' });
  }
  const refusal = refusalFor(sanction, Date.now());
  if (refusal !== undefined) {
    logger.info('chat token refused', { roomArn, userId, error: refusal.error, caller: request.callerArn });
    return json(403, refusal);
  }
  try {
    const token = await issue(parsed.request);
    logger.info('chat token issued', { roomArn, userId, caller: request.callerArn });
    return json(200, token);
  } catch (error) {
    const kind = classifyIvsChatError(error);
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'ResourceNotFoundException')
      return json(404, { error: 'no-such-room', message: `no room ${roomArn}` });
    logger.error('CreateChatToken failed', { roomArn, userId, error });
    return json(kind === 'permanent' ? 502 : 503, { error: 'ivs-unavailable', message: name });
  }
}

export const handler = middy<unknown, HttpResponse>()
  .use(injectLambdaContext(logger))
  .handler(issueChatToken);
