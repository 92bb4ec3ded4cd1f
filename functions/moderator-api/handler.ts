import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readModeratorSettings } from '../../shared/config/env.js';
import type { HttpRequest, HttpResponse } from '../../shared/http/http-api-event.js';
import { json, readHttpRequest } from '../../shared/http/http-api-event.js';
import type { HeldMessage } from '../../shared/moderation/held-message.js';
import { parseModeratorCommand } from '../../shared/moderation/moderator-actions.js';
import { runModeratorAction } from '../../shared/moderation/run-moderator-action.js';
import { userStanding } from '../../shared/moderation/user-standing.js';
import { logger } from '../../shared/observability/logger.js';
import { moderatorActionMetricLines } from '../../shared/observability/moderation-metrics.js';
import { publishMetricLines } from '../../shared/observability/publish-metric-lines.js';
import { classifyDynamoDbError } from '../../shared/store/dynamodb-errors.js';
import { createModeratorDeps } from '../../shared/wiring/moderator-deps.js';

const settings = readModeratorSettings();
const { deps, store, held, once } = createModeratorDeps(settings);

const ROOM_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/;
/** The caller's idempotency key: letters, digits and -_. (a UUID fits). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * The moderator API, IAM-authorized (the operator's backend or an admin signs each request):
 *
 * - `POST /moderation/{ban|unban|timeout|delete|disconnect}` with a JSON body and an `Idempotency-Key` header;
 *   `X-Moderator-Name` names the person behind the caller's role in the audit log.
 * - `GET /moderation/audit?roomArn=…[&userId=…][&since=ISO]`: the room's audit log, oldest first.
 * - `GET /moderation/strikes?roomArn=…&userId=…`: the user's strikes and sanction.
 * - `GET /moderation/held?roomArn=…`: messages a `hold` rule kept back; `POST /moderation/approve` delivers one
 *   to the room as an `app:approved-message` event, `POST /moderation/reject` drops it (both audited).
 *
 * An action IVS refused after the retries answers 502 and a table DynamoDB would not serve 503, both with
 * nothing audited: the same request again finishes it.
 */
async function moderatorApi(event: unknown, context: Context): Promise<HttpResponse> {
  once.registerLambdaContext(context);
  try {
    return await dispatch(event);
  } catch (error) {
    if (classifyDynamoDbError(error) === 'permanent') throw error;
    // Nothing half-done is lost: actions run once by their keys and the audit entry is written last, so the
    // same request (same Idempotency-Key) finishes the job.
    logger.error('moderation store unavailable', { error });
    return json(503, {
      error: 'store-unavailable',
      message: 'the moderation tables could not be read or written',
      retry: 'send the same request again',
    });
  }
}

async function dispatch(event: unknown): Promise<HttpResponse> {
  const request = readHttpRequest(event);
  if (request === undefined) return json(400, { error: 'bad-request', problems: ['not an HTTP API event'] });
  const route = /^\/moderation\/([a-z]+)$/.exec(request.path)?.[1];
  if (route === undefined) return json(404, { error: 'not-found' });
  if (route === 'audit' || route === 'strikes' || route === 'held') {
    if (request.method !== 'GET') return json(405, { error: 'method-not-allowed' });
    return route === 'audit' ? audit(request) : route === 'strikes' ? strikes(request) : listHeld(request);
  }
  if (request.method !== 'POST') return json(405, { error: 'method-not-allowed' });
  return act(route, request);
}

async function act(kind: string, request: HttpRequest): Promise<HttpResponse> {
  if (request.callerArn === undefined)
    return json(403, { error: 'unsigned', message: 'IAM authorization is required' });
  const requestId = request.headers['idempotency-key'];
  if (requestId === undefined || !IDEMPOTENCY_KEY.test(requestId)) {
    return json(400, {
      error: 'bad-request',
      problems: ['Idempotency-Key header: 8 to 128 of A-Z a-z 0-9 . _ -'],
    });
  }
  if (request.bodyInvalid)
    return json(400, { error: 'bad-request', problems: ['the body is not JSON (or over 16 KB)'] });
  const parsed = parseModeratorCommand(kind, request.body);
  if (!parsed.ok)
    return json(kind === 'audit' || kind === 'strikes' ? 405 : 400, {
      error: 'bad-request',
      problems: parsed.problems,
    });
  const name = request.headers['x-moderator-name'];
  const moderator = {
    id: request.callerArn,
    ...(name === undefined || name === '' ? {} : { name: [...name].slice(0, 128).join('') }),
  };
  const { command } = parsed;
  let heldMessage: HeldMessage | undefined;
  if (command.kind === 'approve' || command.kind === 'reject') {
    heldMessage = await held.get(command.roomArn, command.messageId, Date.now());
    if (heldMessage === undefined) {
      // Already approved or rejected by this very request (a retry), or by someone else, or expired.
      const done = await deps.audit.get(command.roomArn, requestId);
      if (done !== undefined) return json(200, { audit: done, duplicate: true });
      return json(404, {
        error: 'not-held',
        message: `no held message ${command.messageId} (approved, rejected or expired)`,
      });
    }
  }
  const outcome = await runModeratorAction(
    { command, moderator, requestId, ...(heldMessage === undefined ? {} : { held: heldMessage }) },
    deps,
  );
  publishMetricLines(() => moderatorActionMetricLines(outcome.results));
  if (!outcome.ok && outcome.inProgress) {
    // A retry of a request still running (a double click while IVS is slow): a conflict, not a failure.
    logger.warn('moderator action in progress in another request', { requestId, kind });
    return json(409, {
      error: 'in-progress',
      message: 'the same request is still being carried out',
      retry: 'send the same request again once it has answered',
    });
  }
  if (!outcome.ok) {
    logger.error('moderator action failed', { requestId, kind, failed: outcome.failed });
    return json(502, {
      error: 'action-failed',
      failed: outcome.failed,
      retry: 'send the same request again',
    });
  }
  logger.info('moderator action', { ...outcome.audit, auditRecord: outcome.auditRecord });
  return json(200, { audit: outcome.audit, duplicate: outcome.auditRecord === 'duplicate' });
}

async function audit(request: HttpRequest): Promise<HttpResponse> {
  const { roomArn, userId, since } = request.query;
  if (roomArn === undefined || !ROOM_ARN.test(roomArn))
    return json(400, { error: 'bad-request', problems: ['roomArn'] });
  const sinceMillis = since === undefined ? undefined : Date.parse(since);
  if (sinceMillis !== undefined && Number.isNaN(sinceMillis)) {
    return json(400, { error: 'bad-request', problems: ['since: an ISO 8601 time'] });
  }
  const entries = await deps.audit.list(roomArn, {
    ...(sinceMillis === undefined ? {} : { sinceMillis }),
    ...(userId === undefined ? {} : { userId }),
  });
  return json(200, { entries });
}

async function listHeld(request: HttpRequest): Promise<HttpResponse> {
  const { roomArn } = request.query;
  if (roomArn === undefined || !ROOM_ARN.test(roomArn))
    return json(400, { error: 'bad-request', problems: ['roomArn'] });
  const messages = await held.list(roomArn, Date.now());
  return json(200, { messages: messages.map(({ expiresAtMillis: _expires, ...message }) => message) });
}

async function strikes(request: HttpRequest): Promise<HttpResponse> {
  const { roomArn, userId } = request.query;
  if (roomArn === undefined || !ROOM_ARN.test(roomArn) || userId === undefined || userId === '') {
    return json(400, { error: 'bad-request', problems: ['roomArn and userId are required'] });
  }
  return json(200, await userStanding(store, roomArn, userId));
}

export const handler = middy<unknown, HttpResponse, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(moderatorApi);
