import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, isIPv6 } from 'node:net';
import { isRecord } from '../../shared/guards';
import type { ChatState, RunningServer } from './chat-state';
import { ControlPlaneError, requestError, throttled } from './control-plane/errors';
import type { FaultPlan } from './control-plane/faults';
import { OPERATIONS } from './control-plane/operations';
import { OPERATION_TPS, type OperationName, RateQuotas } from './control-plane/quotas';

/**
 * The emulator's control plane: the seventeen `ivschat` operations over HTTP, spoken as
 * `@aws-sdk/client-ivschat` speaks them (restJson1: `POST /CreateRoom` with a JSON body, `GET|POST|DELETE
 * /tags/{resourceArn}`), so the real SDK pointed at it (IVSCHAT_ENDPOINT) raises the exceptions AWS would give.
 * The operations themselves live in ./control-plane/.
 */

export interface ControlPlaneOptions {
  readonly port?: number;
  readonly host?: string;
  /** enforce per-operation rate quotas (§5), answering ThrottlingException (429) */
  readonly enforceQuotas?: boolean;
  /** Faults to inject per operation (throttling, server errors, slow answers, dropped connections). */
  readonly faults?: FaultPlan;
}

/** The largest request body read; the SDK's requests are a few KB at most (tags, attributes). */
export const MAX_BODY_BYTES = 64 * 1024;

const TAGS_PREFIX = '/tags/';
/** Addressed by `/tags/{resourceArn}` and the method, not by name. */
const TAG_OPERATIONS: ReadonlySet<OperationName> = new Set([
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
]);

interface Route {
  readonly operation: OperationName;
  /** Members taken from the path and query rather than the body. */
  readonly members: Readonly<Record<string, unknown>>;
}

export function startControlPlane(
  state: ChatState,
  options: ControlPlaneOptions = {},
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const quotas = options.enforceQuotas ? new RateQuotas(() => state.now().getTime()) : undefined;
  const server = createServer((request, response) => {
    handle(state, quotas, options.faults, request, response).catch((error: unknown) =>
      respondError(response, error),
    );
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = addressOf(server.address());
      resolve({
        url: `http://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // The SDK keeps connections alive; without this close() would wait for them to idle out.
            server.closeAllConnections();
          }),
      });
    });
  });
}

function addressOf(address: string | AddressInfo | null): AddressInfo {
  if (address === null || typeof address === 'string')
    throw new Error('the control plane is not listening on TCP');
  return address;
}

async function handle(
  state: ChatState,
  quotas: RateQuotas | undefined,
  faults: FaultPlan | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const route = routeOf(request.method ?? '', request.url ?? '/');
  const fault = faults?.take(route.operation);
  if (fault?.kind === 'drop') {
    request.socket.destroy();
    return;
  }
  if (fault?.kind === 'error') {
    // Read first: an answer before the body is read would leave the rest of it on a kept-alive connection.
    await readBoundedBody(request);
    const body = { message: `Injected fault: ${fault.type} for ${route.operation}` };
    respond(response, fault.status, body, { 'x-amzn-errortype': fault.type });
    return;
  }
  if (quotas !== undefined && !quotas.tryAcquire(route.operation)) {
    throw throttled(route.operation, OPERATION_TPS[route.operation]);
  }
  const body = await readJsonBody(request, response);
  if (body === undefined) return;
  // With the request read, as a service has it: carried out even if the caller stops waiting meanwhile.
  if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
  const result = OPERATIONS[route.operation](state, { ...body, ...route.members });
  respond(response, result.status, result.body);
}

/** Which operation a request is, as the SDK's serializers address them. */
export function routeOf(method: string, url: string): Route {
  const { pathname, searchParams } = parseTarget(url);
  if (pathname.startsWith(TAGS_PREFIX)) {
    const label = pathname.slice(TAGS_PREFIX.length);
    // The ARN is one percent-encoded path segment (`:` → %3A, `/` → %2F).
    if (label !== '' && !label.includes('/')) {
      const resourceArn = decodeLabel(label);
      if (method === 'GET') return { operation: 'ListTagsForResource', members: { resourceArn } };
      if (method === 'POST') return { operation: 'TagResource', members: { resourceArn } };
      if (method === 'DELETE') {
        const tagKeys = searchParams.has('tagKeys') ? { tagKeys: searchParams.getAll('tagKeys') } : {};
        return { operation: 'UntagResource', members: { resourceArn, ...tagKeys } };
      }
    }
  } else if (method === 'POST') {
    const operation = operationNamed(pathname.slice(1));
    if (operation !== undefined && !TAG_OPERATIONS.has(operation)) return { operation, members: {} };
  }
  throw requestError(
    `No operation ${method} ${pathname}: the IVS Chat control plane serves POST /<Operation> ` +
      '(CreateRoom, GetRoom, …) and GET|POST|DELETE /tags/{resourceArn}',
    'UNKNOWN_OPERATION',
  );
}

/** The request target as a URL; one the URL parser refuses (`//`, `//a:b`) is the client's error, not ours. */
function parseTarget(url: string): URL {
  try {
    return new URL(url, 'http://control-plane.invalid');
  } catch {
    throw requestError(`The request target is not a valid path: ${url}`, 'UNKNOWN_OPERATION');
  }
}

function operationNamed(name: string): OperationName | undefined {
  return Object.keys(OPERATION_TPS).find((operation): operation is OperationName => operation === name);
}

function decodeLabel(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    throw requestError(`The resource ARN in the path is not valid percent-encoding: ${label}`);
  }
}

/**
 * The body as a JSON object ({} when empty). A body over MAX_BODY_BYTES is answered here, with the connection
 * closed after the answer rather than the rest read, and gives undefined.
 */
async function readJsonBody(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await readBoundedBody(request);
  if (bytes === undefined) {
    response.setHeader('connection', 'close');
    respondError(response, requestError(`The request body is larger than ${MAX_BODY_BYTES} bytes`));
    return undefined;
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw requestError(`The request body is not valid JSON: ${error instanceof Error ? error.message : ''}`);
  }
  if (!isRecord(parsed)) throw requestError('The request body must be a JSON object');
  return parsed;
}

/** The whole body, or undefined as soon as it passes MAX_BODY_BYTES (the rest is discarded as it arrives). */
function readBoundedBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: unknown) => {
      if (!Buffer.isBuffer(chunk) || size > MAX_BODY_BYTES) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function respond(
  response: ServerResponse,
  status: number,
  body: Readonly<Record<string, unknown>> | undefined,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

function respondError(response: ServerResponse, error: unknown): void {
  // Anything an operation did not mean to throw is the service's fault, as AWS would report it.
  const answer =
    error instanceof ControlPlaneError
      ? error
      : new ControlPlaneError(
          'InternalServerException',
          `Internal error: ${error instanceof Error ? error.message : String(error)}`,
        );
  respond(response, answer.status, answer.body(), { 'x-amzn-errortype': answer.type });
}
