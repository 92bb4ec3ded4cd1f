import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { isRecord } from '../shared/guards.js';
import type { RunningServer } from './ivschat/chat-state.js';
import { listen } from './listen.js';

/**
 * The local stack's web page: join a room in a browser with the official client library
 * (amazon-ivs-chat-messaging), chat, and watch verdicts and deletions arrive. Tokens come from
 * POST /token, which stands in for the application backend that calls CreateChatToken.
 */

export const ROLES = ['viewer', 'moderator'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenRequest {
  readonly userId: string;
  readonly role: Role;
}

/** What the client library's token provider returns. */
export interface IssuedToken {
  readonly token: string;
  readonly sessionExpirationTime?: Date;
  readonly tokenExpirationTime?: Date;
}

export interface WebServerOptions {
  readonly port?: number;
  readonly host?: string;
  readonly messagingUrl: string;
  readonly roomName: string;
  /** The room's ARN, which the moderator page names in every moderator API request. */
  readonly roomArn?: string;
  readonly issueToken: (request: TokenRequest) => Promise<IssuedToken>;
  /**
   * The stack's HTTP API functions, by the path under `/api` they serve (`/tokens`, `/moderation/…`), as the
   * deployed HTTP API serves them.
   */
  readonly api?: (
    path: string,
  ) => { handle(request: IncomingMessage, response: ServerResponse): Promise<void> } | undefined;
}

const WEB_ROOT = path.join(__dirname, 'web');
const MAX_BODY_BYTES = 4_096;
const USER_ID = /^[\p{L}\p{N}_.-]{1,64}$/u;

/**
 * The client library for the browser: it is published as ESM for bundlers (it imports `uuid`), so it is
 * bundled once at start rather than served from node_modules as is.
 */
async function bundleChatClient(): Promise<string> {
  const result = await build({
    stdin: { contents: "export * from 'amazon-ivs-chat-messaging';", resolveDir: __dirname, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no chat client bundle');
  return output.text;
}

/** An answer other than 200, with its status: the page shows the message. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, 'request body too large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestError(400, 'request body is not JSON');
  }
}

/** `{userId, role?}`; the role becomes a server-minted sender attribute, which is what exemptions read. */
export function parseTokenRequest(body: unknown): TokenRequest {
  if (!isRecord(body))
    throw new RequestError(400, 'expected {"userId": "...", "role"?: "viewer"|"moderator"}');
  const { userId, role = 'viewer' } = body;
  if (typeof userId !== 'string' || !USER_ID.test(userId))
    throw new RequestError(400, 'userId: 1–64 letters, digits, "_", "." or "-"');
  const known = ROLES.find((candidate) => candidate === role);
  if (known === undefined) throw new RequestError(400, `role: one of ${ROLES.join(', ')}`);
  return { userId, role: known };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

export async function startWebServer(options: WebServerOptions): Promise<RunningServer> {
  const [chatClient, page, script, moderatorPage, moderatorScript] = await Promise.all([
    bundleChatClient(),
    readFile(path.join(WEB_ROOT, 'index.html'), 'utf8'),
    readFile(path.join(WEB_ROOT, 'app.mjs'), 'utf8'),
    readFile(path.join(WEB_ROOT, 'moderate.html'), 'utf8'),
    readFile(path.join(WEB_ROOT, 'moderate.mjs'), 'utf8'),
  ]);
  const config = JSON.stringify({
    messagingUrl: options.messagingUrl,
    roomName: options.roomName,
    ...(options.roomArn !== undefined && { roomArn: options.roomArn }),
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname.startsWith('/api/')) {
      const api = options.api?.(pathname.slice('/api'.length));
      if (api === undefined) throw new RequestError(404, `no route ${pathname}`);
      return api.handle(request, response);
    }
    const route = `${request.method} ${pathname}`;
    switch (route) {
      case 'GET /':
        return send(response, 200, 'text/html; charset=utf-8', page);
      case 'GET /app.mjs':
        return send(response, 200, 'text/javascript; charset=utf-8', script);
      case 'GET /moderate':
        return send(response, 200, 'text/html; charset=utf-8', moderatorPage);
      case 'GET /moderate.mjs':
        return send(response, 200, 'text/javascript; charset=utf-8', moderatorScript);
      case 'GET /vendor/amazon-ivs-chat-messaging.js':
        return send(response, 200, 'text/javascript; charset=utf-8', chatClient);
      case 'GET /config.json':
        return send(response, 200, 'application/json', config);
      case 'POST /token': {
        const tokenRequest = parseTokenRequest(await readJsonBody(request));
        return send(
          response,
          200,
          'application/json',
          JSON.stringify(await options.issueToken(tokenRequest)),
        );
      }
      default:
        throw new RequestError(404, `no route ${route}`);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) send(response, status, 'application/json', JSON.stringify({ message }));
      else response.destroy();
    });
  });
  return listen(server, options.port ?? 0, options.host ?? '127.0.0.1', 'http');
}
