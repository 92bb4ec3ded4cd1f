import { isRecord } from '../guards.js';

/**
 * API Gateway HTTP API (payload 2.0) events, read defensively, and the
 * responses the functions behind it give. With IAM authorization the caller's
 * principal is in requestContext.authorizer.iam; nothing else identifies them.
 */

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The body parsed as JSON; undefined when there is none or it is not JSON (then `bodyInvalid`). */
  readonly body: unknown;
  readonly bodyInvalid: boolean;
  /** The IAM principal that signed the request (userArn), when IAM authorization ran. */
  readonly callerArn: string | undefined;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Larger than any request these APIs take; a bigger body is refused before parsing. */
const MAX_BODY_BYTES = 16 * 1024;

export function readHttpRequest(event: unknown): HttpRequest | undefined {
  if (!isRecord(event) || !isRecord(event.requestContext)) return undefined;
  const http = event.requestContext.http;
  if (!isRecord(http) || typeof http.method !== 'string' || typeof http.path !== 'string') return undefined;
  const headers = stringEntries(event.headers, (name) => name.toLowerCase());
  const query = stringEntries(event.queryStringParameters, (name) => name);
  let body: unknown;
  let bodyInvalid = false;
  if (typeof event.body === 'string' && event.body !== '') {
    const text =
      event.isBase64Encoded === true ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) bodyInvalid = true;
    else {
      try {
        body = JSON.parse(text);
      } catch {
        bodyInvalid = true;
      }
    }
  }
  const authorizer = event.requestContext.authorizer;
  const iam = isRecord(authorizer) ? authorizer.iam : undefined;
  const callerArn = isRecord(iam) && typeof iam.userArn === 'string' ? iam.userArn : undefined;
  return { method: http.method.toUpperCase(), path: http.path, headers, query, body, bodyInvalid, callerArn };
}

/**
 * The string-valued entries of a mapping, names mapped. Built with Object.fromEntries: assigning a name such as
 * `__proto__` would drop it silently.
 */
function stringEntries(value: unknown, name: (raw: string) => string): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([raw, text]) => (typeof text === 'string' ? [[name(raw), text]] : [])),
  );
}

export function json(statusCode: number, value: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
