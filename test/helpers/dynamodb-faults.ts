import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord } from '../../shared/guards.js';

/**
 * A DynamoDB endpoint that fails on demand: an HTTP proxy in front of dynalite that forwards every request
 * unless a fault is injected for its operation (and table). The faults are DynamoDB's own answers on the
 * wire, so the real clients (the SDK with its retries, aws4fetch, Powertools) meet them as they would in
 * AWS: throttling (400 ProvisionedThroughputExceededException, which dynalite never sends), a server error
 * (500), a slow answer, a connection reset, or the endpoint down altogether (connections refused).
 */

export type DynamoDbFault =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'server-error' }
  /** Forwarded after `ms`: the operation happens then, whether or not the caller still waits. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The connection is destroyed with no answer; nothing is forwarded. */
  | { readonly kind: 'reset' };

/** Which requests a fault applies to: an operation (`GetItem`, `PutItem`, …), and a table and item partition if given. */
export interface FaultTarget {
  readonly operation: string;
  readonly table?: string;
  /** The start of the item's partition key `pk` (`HELD#`, `ROOM#…`), for single-item operations. */
  readonly partition?: string;
}

export interface DynamoDbFaults {
  readonly endpoint: string;
  /**
   * The next `times` requests that match (default: every one until cleared) meet `fault`, once `after` matching
   * requests (default none) have gone through.
   */
  inject(target: FaultTarget, fault: DynamoDbFault, times?: number, after?: number): void;
  clear(): void;
  /** Requests that arrived for the target, faulted or forwarded. */
  calls(target: FaultTarget): number;
  /** Stops listening: every connection is refused, as by a DynamoDB that is down, until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const ERRORS = {
  throttle: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  'server-error': {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
} as const;

interface Injected {
  readonly target: FaultTarget;
  readonly fault: DynamoDbFault;
  remaining: number;
  /** Matching requests still to let through before the fault applies. */
  after: number;
}

interface Seen {
  readonly operation: string;
  readonly tables: readonly string[];
  readonly partition: string | undefined;
}

export async function startDynamoDbFaults(dynamoDbEndpoint: string): Promise<DynamoDbFaults> {
  const upstream = new URL(dynamoDbEndpoint);
  const injected: Injected[] = [];
  const seen: Seen[] = [];
  const matches = (target: FaultTarget, request: Seen) =>
    target.operation === request.operation &&
    (target.table === undefined || request.tables.includes(target.table)) &&
    (target.partition === undefined || request.partition?.startsWith(target.partition) === true);

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? (target.split('.')[1] ?? '') : '';
    const parsed = parseBody(body);
    const current: Seen = { operation, tables: tablesOf(parsed), partition: partitionOf(parsed) };
    seen.push(current);
    const match = injected.find((candidate) => matches(candidate.target, current));
    const entry = match !== undefined && match.after-- > 0 ? undefined : match;
    if (entry !== undefined && --entry.remaining <= 0) injected.splice(injected.indexOf(entry), 1);
    const fault = entry?.fault;
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'throttle' || fault?.kind === 'server-error') {
      const { status, type, message } = ERRORS[fault.kind];
      response
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' })
        .end(JSON.stringify({ __type: type, message }));
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    await pass(request, body, response);
  }

  /** The request as it came, to dynalite, and dynalite's answer back. */
  function pass(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const outgoing = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address: AddressInfo | string | null = server.address();
        if (typeof address === 'object' && address !== null) port = address.port;
        resolve();
      });
    });
  const stop = (listening: Server) =>
    new Promise<void>((resolve, reject) => {
      listening.close((error) => (error ? reject(error) : resolve()));
      listening.closeAllConnections();
    });
  await listen();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject(target, fault, times = Number.POSITIVE_INFINITY, after = 0) {
      injected.push({ target, fault, remaining: times, after });
    },
    clear() {
      injected.length = 0;
    },
    calls(target) {
      return seen.filter((request) => matches(target, request)).length;
    },
    down: () => (server.listening ? stop(server) : Promise.resolve()),
    up: () => (server.listening ? Promise.resolve() : listen()),
    close: () => (server.listening ? stop(server) : Promise.resolve()),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The tables a DynamoDB request names: TableName, or the keys of a batch's RequestItems. */
function tablesOf(request: Record<string, unknown>): string[] {
  if (typeof request.TableName === 'string') return [request.TableName];
  return isRecord(request.RequestItems) ? Object.keys(request.RequestItems) : [];
}

/** The partition key of a single-item request (Key or Item), in DynamoDB JSON. */
function partitionOf(request: Record<string, unknown>): string | undefined {
  const item = isRecord(request.Key) ? request.Key : request.Item;
  return isRecord(item) && isRecord(item.pk) && typeof item.pk.S === 'string' ? item.pk.S : undefined;
}
