import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from '../shared/guards.js';
import { lambdaContext } from './lambda-context.js';
import type { LambdaHandler } from './load-function.js';

/**
 * API Gateway's HTTP API, locally: a Node request becomes a payload 2.0 event for a bundled function, and its
 * answer becomes the response. There is no IAM locally: every request is signed, as it were, by LOCAL_CALLER.
 */

export const LOCAL_CALLER_ARN = 'arn:aws:iam::123456789012:user/local-moderator';
const MAX_BODY_BYTES = 16 * 1024;

export async function forwardToFunction(
  handler: LambdaHandler,
  functionName: string,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      response
        .writeHead(413, { 'content-type': 'application/json' })
        .end('{"message":"Request Entity Too Large"}');
      return;
    }
    chunks.push(buffer);
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  const event = httpApiEvent({
    method: request.method ?? 'GET',
    path,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  });
  const result: unknown = await handler(event, lambdaContext(functionName, 30_000));
  if (!isRecord(result) || typeof result.statusCode !== 'number') {
    response
      .writeHead(502, { 'content-type': 'application/json' })
      .end('{"message":"Internal Server Error"}');
    return;
  }
  const responseHeaders: Record<string, string> = {};
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers))
      if (typeof value === 'string') responseHeaders[name] = value;
  }
  response
    .writeHead(result.statusCode, responseHeaders)
    .end(typeof result.body === 'string' ? result.body : '');
}

/** Calls an HTTP API function directly, as the deployed API would with this request, and reads its answer. */
export async function invokeHttpFunction(
  handler: LambdaHandler,
  functionName: string,
  request: {
    readonly method: string;
    /** The path, with a query string if any. */
    readonly path: string;
    readonly body?: unknown;
    readonly headers?: Readonly<Record<string, string>>;
  },
): Promise<{ readonly statusCode: number; readonly body: unknown }> {
  const url = new URL(request.path, 'http://localhost');
  const event = httpApiEvent({
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body === undefined ? '' : JSON.stringify(request.body),
  });
  const result: unknown = await handler(event, lambdaContext(functionName, 30_000));
  if (!isRecord(result) || typeof result.statusCode !== 'number' || typeof result.body !== 'string') {
    throw new Error(`${functionName} answered no HTTP response`);
  }
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

/** A payload 2.0 event as API Gateway sends it with IAM authorization, signed by LOCAL_CALLER_ARN. */
function httpApiEvent(request: {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: request.query.toString(),
    headers: request.headers,
    queryStringParameters: Object.fromEntries(request.query),
    requestContext: {
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: '',
      },
      authorizer: { iam: { userArn: LOCAL_CALLER_ARN, accountId: '123456789012' } },
      requestId: randomUUID(),
      stage: '$default',
    },
    body: request.body,
    isBase64Encoded: false,
  };
}
