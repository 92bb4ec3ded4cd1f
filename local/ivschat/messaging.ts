import { createServer, type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ChatState, ChatToken, Room, RoomEvent, RunningServer } from './chat-state.js';
import {
  type Envelope,
  REQUIRED_CAPABILITY,
  type RequestProblem,
  readDeleteMessage,
  readDisconnectUser,
  readEnvelope,
  readSendMessage,
  type SendMessageRequest,
} from './client-requests.js';
import { REVIEW_TIMEOUT_MS, type ReviewVerdict, reviewWithFallback } from './message-review.js';
import {
  chatLogRecord,
  DELETE_MESSAGE_EVENT,
  type DeliveredFrame,
  DISCONNECT_USER_EVENT,
  ERROR_MESSAGES,
  type ErrorFrame,
  type EventFrame,
  errorFrame,
  type MessageFrame,
  nanosecondTime,
  withRequestId,
} from './messaging-frames.js';
import { RoomMessageRate } from './room-message-rate.js';

/**
 * The emulator's IVS Chat Messaging API: the WebSocket clients such as the
 * official `amazon-ivs-chat-messaging` connect to (contracts §3), with
 * message review (§1) and chat logging (§2.2).
 *
 * A bad token is refused at the handshake (HTTP 401; 404 when the room is
 * gone) rather than accepted and answered with an ERROR 401 frame: on a
 * refused handshake the official client retries with a fresh token at most
 * `maxReconnectAttempts` times, then reports `disconnect('socketError')`;
 * an ERROR 401 after an open socket makes it report `connect` first and
 * reconnect without any limit. ERROR 401 is kept for what it means to that
 * client, an expired session: it then fetches a new token and reconnects.
 */

/** The review function for a Lambda ARN in a room's messageReviewHandler.uri, or undefined if none is deployed under it. */
export type ReviewHandlers = (
  functionArn: string,
) => ((event: unknown, context: import('aws-lambda').Context) => Promise<unknown>) | undefined;

export interface MessagingOptions {
  readonly port?: number;
  readonly host?: string;
  readonly reviewHandlers: ReviewHandlers;
  /** IVS waits at most 200 ms; tests may shorten nothing else */
  readonly reviewTimeoutMs?: number;
}

interface Connection {
  readonly socket: WebSocket;
  readonly token: ChatToken;
  readonly ip: string;
  readonly sessionTimer: NodeJS.Timeout;
}

/** ws accepts larger frames than any valid request so that an oversized one gets a 413 frame, not a dropped socket. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const SHUTDOWN_GRACE_MS = 500;

export function startMessaging(state: ChatState, options: MessagingOptions): Promise<RunningServer> {
  const reviewTimeoutMs = options.reviewTimeoutMs ?? REVIEW_TIMEOUT_MS;
  const rooms = new Map<string, Set<Connection>>();
  const messageRate = new RoomMessageRate();
  const httpServer = createServer((_request, response) => {
    response
      .writeHead(426, { 'content-type': 'text/plain' })
      .end('IVS Chat messaging: connect with a WebSocket');
  });
  const admittedTokens = new WeakMap<IncomingMessage, string>();
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    // The chat token is the subprotocol, and clients abort unless it is echoed.
    handleProtocols: (_protocols, request) => admittedTokens.get(request) ?? false,
  });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const admission = admit(state, request.headers['sec-websocket-protocol']);
    if (!admission.ok) {
      refuseHandshake(socket, admission.status, admission.message);
      return;
    }
    admission.token.usedAt = state.now();
    admittedTokens.set(request, admission.token.token);
    sockets.handleUpgrade(request, socket, head, (webSocket) =>
      accept(webSocket, admission.token, clientIp(request)),
    );
  });

  function accept(socket: WebSocket, token: ChatToken, ip: string): void {
    const sessionTimer = setTimeout(() => {
      send(connection, errorFrame(state.newId(), '', 401, 'The chat session has expired'));
      socket.close(CLOSE_NORMAL, 'session expired');
    }, token.sessionDurationInMinutes * 60_000);
    sessionTimer.unref();
    const connection: Connection = { socket, token, ip, sessionTimer };
    roomConnections(token.roomArn).add(connection);
    socket.on('message', (data, isBinary) => {
      handleFrame(connection, data, isBinary).catch(() =>
        send(connection, errorFrame(state.newId(), '', 500)),
      );
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      clearTimeout(sessionTimer);
      rooms.get(token.roomArn)?.delete(connection);
    });
  }

  function roomConnections(roomArn: string): Set<Connection> {
    let connections = rooms.get(roomArn);
    if (connections === undefined) {
      connections = new Set();
      rooms.set(roomArn, connections);
    }
    return connections;
  }

  async function handleFrame(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      refuse(connection, '', { code: 400, message: 'Requests must be text frames of JSON' });
      return;
    }
    const envelope = readEnvelope(rawText(data));
    if (!envelope.ok) {
      refuse(connection, envelope.requestId, envelope.problem);
      return;
    }
    const { action, requestId } = envelope.value;
    const room = state.rooms.get(connection.token.roomArn);
    if (room === undefined) {
      refuse(connection, requestId, { code: 404, message: ERROR_MESSAGES[404] });
      return;
    }
    const capability = REQUIRED_CAPABILITY[action];
    if (!connection.token.capabilities.includes(capability)) {
      refuse(connection, requestId, {
        code: 403,
        message: `The chat token lacks the ${capability} capability`,
      });
      return;
    }
    try {
      switch (action) {
        case 'SEND_MESSAGE':
          return await sendMessage(connection, room, envelope.value);
        case 'DELETE_MESSAGE':
          return deleteMessage(connection, room, envelope.value);
        case 'DISCONNECT_USER':
          return disconnectUser(connection, room, envelope.value);
      }
    } catch {
      // An emulator fault (a throwing reviewHandlers lookup, a chat log listener) still settles the request.
      refuse(connection, requestId, { code: 500, message: ERROR_MESSAGES[500] });
    }
  }

  async function sendMessage(
    connection: Connection,
    room: Room,
    { requestId, body }: Envelope,
  ): Promise<void> {
    const read = readSendMessage(body, room.maximumMessageLength);
    if (!read.ok) {
      refuse(connection, requestId, read.problem);
      return;
    }
    if (!messageRate.tryAccept(room.arn, room.maximumMessageRatePerSecond, state.now().getTime())) {
      refuse(connection, requestId, {
        code: 429,
        message: `The room allows ${room.maximumMessageRatePerSecond} messages per second`,
      });
      return;
    }
    const messageId = state.newId();
    const verdict = await review(connection, room, messageId, requestId, read.value);
    if (verdict.result === 'DENY') {
      refuse(connection, requestId, { code: 406, message: verdict.reason || ERROR_MESSAGES[406] });
      return;
    }
    const frame: MessageFrame = {
      Type: 'MESSAGE',
      Id: messageId,
      RequestId: '',
      Content: verdict.content,
      Attributes: verdict.attributes,
      SendTime: nanosecondTime(state.now()),
      Sender: { UserId: connection.token.userId, Attributes: connection.token.attributes },
    };
    deliver(room.arn, frame, { connection, requestId });
  }

  async function review(
    connection: Connection,
    room: Room,
    messageId: string,
    requestId: string,
    { content, attributes }: SendMessageRequest,
  ): Promise<ReviewVerdict> {
    const functionArn = room.messageReviewHandler?.uri;
    if (functionArn === undefined || functionArn === '') return { result: 'ALLOW', content, attributes };
    const startedAtMs = Date.now();
    const started = performance.now();
    const verdict = await reviewWithFallback({
      event: {
        Content: content,
        MessageId: messageId,
        RoomArn: room.arn,
        Attributes: attributes,
        Sender: {
          UserId: connection.token.userId,
          Attributes: connection.token.attributes,
          Ip: connection.ip,
        },
      },
      functionArn,
      review: options.reviewHandlers(functionArn),
      fallbackResult: room.messageReviewHandler?.fallbackResult ?? 'ALLOW',
      timeoutMs: reviewTimeoutMs,
      maximumMessageLength: room.maximumMessageLength,
    });
    state.publishReview({
      roomArn: room.arn,
      messageId,
      requestId,
      userId: connection.token.userId,
      startedAtMs,
      durationMs: performance.now() - started,
      result: verdict.result,
      ...(verdict.fallbackCause !== undefined && { fallbackCause: verdict.fallbackCause }),
    });
    return verdict;
  }

  function deleteMessage(connection: Connection, room: Room, { requestId, body }: Envelope): void {
    const read = readDeleteMessage(body);
    if (!read.ok) {
      refuse(connection, requestId, read.problem);
      return;
    }
    const { messageId, reason } = read.value;
    // MessageID (deprecated) too: the official client 1.1.1 reads only that key (contracts §0.4).
    const attributes = { MessageId: messageId, MessageID: messageId, Reason: reason };
    deliver(room.arn, eventFrame(DELETE_MESSAGE_EVENT, attributes, state.now()), { connection, requestId });
  }

  function disconnectUser(connection: Connection, room: Room, { requestId, body }: Envelope): void {
    const read = readDisconnectUser(body);
    if (!read.ok) {
      refuse(connection, requestId, read.problem);
      return;
    }
    disconnect(room.arn, read.value.userId, read.value.reason, { connection, requestId });
  }

  /** Tells the room, then closes every connection the user has in it: a clean close, so clients do not reconnect. */
  function disconnect(roomArn: string, userId: string, reason: string, requester?: Requester): void {
    const frame = eventFrame(DISCONNECT_USER_EVENT, { UserId: userId, Reason: reason }, state.now());
    // A control-plane DisconnectUser (no requester) is logged by the control plane.
    deliver(roomArn, frame, requester, requester !== undefined);
    for (const connection of rooms.get(roomArn) ?? []) {
      if (connection.token.userId === userId)
        connection.socket.close(CLOSE_NORMAL, 'disconnected by moderator');
    }
  }

  function eventFrame(eventName: string, attributes: Record<string, string>, sendTime: Date): EventFrame {
    return {
      Type: 'EVENT',
      Id: state.newId(),
      RequestId: '',
      EventName: eventName,
      Attributes: attributes,
      SendTime: nanosecondTime(sendTime),
    };
  }

  /**
   * To every connection of the room (the requester with its RequestId), and to the room's chat log unless the
   * frame came from the control plane, which logs its own events whether or not anyone is connected.
   */
  function deliver(roomArn: string, frame: DeliveredFrame, requester?: Requester, logged = true): void {
    for (const connection of rooms.get(roomArn) ?? []) {
      send(
        connection,
        connection === requester?.connection ? withRequestId(frame, requester.requestId) : frame,
      );
    }
    if (!logged) return;
    try {
      state.publishChatLog(chatLogRecord(roomArn, frame, state.now()));
    } catch (error) {
      // A failing log sink is that sink's bug; the frame is already delivered, so report it and carry on.
      console.error(`chat log listener failed for ${frame.Type} ${frame.Id}:`, error);
    }
  }

  function refuse(connection: Connection, requestId: string, { code, message }: RequestProblem): void {
    send(connection, errorFrame(state.newId(), requestId, code, message));
  }

  function onRoomEvent(event: RoomEvent): void {
    if (event.kind === 'disconnect') {
      disconnect(event.roomArn, event.userId, event.reason);
      return;
    }
    const frame: EventFrame = {
      Type: 'EVENT',
      Id: event.id,
      RequestId: '',
      EventName: event.eventName,
      Attributes: event.attributes,
      SendTime: nanosecondTime(event.sendTime),
    };
    deliver(event.roomArn, frame, undefined, false);
  }
  const stopListening = state.onRoomEvent(onRoomEvent);

  async function close(): Promise<void> {
    stopListening();
    const closing = [...rooms.values()].flatMap((connections) => [...connections]).map(closeGracefully);
    await Promise.all(closing);
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
    await new Promise<void>((resolve, reject) =>
      httpServer.close((error) => (error ? reject(error) : resolve())),
    );
  }

  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      const address = httpServer.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the messaging server has no TCP address'));
        return;
      }
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({ url: `ws://${host}:${address.port}`, close });
    });
  });
}

interface Requester {
  readonly connection: Connection;
  readonly requestId: string;
}

type Admission =
  | { readonly ok: true; readonly token: ChatToken }
  | { readonly ok: false; readonly status: 401 | 404; readonly message: string };

/** A connection needs an unused, unexpired token (its subprotocol) for a room that still exists. */
function admit(state: ChatState, protocolHeader: string | undefined): Admission {
  const offered = (protocolHeader ?? '').split(',').map((protocol) => protocol.trim());
  const token = offered.map((protocol) => state.tokens.get(protocol)).find((found) => found !== undefined);
  if (token === undefined) return { ok: false, status: 401, message: 'The chat token is missing or unknown' };
  if (token.usedAt !== undefined) {
    return { ok: false, status: 401, message: 'The chat token has already been used' };
  }
  if (token.tokenExpirationTime.getTime() <= state.now().getTime()) {
    return { ok: false, status: 401, message: 'The chat token has expired' };
  }
  if (!state.rooms.has(token.roomArn)) return { ok: false, status: 404, message: ERROR_MESSAGES[404] };
  return { ok: true, token };
}

function refuseHandshake(socket: Duplex, status: 401 | 404, message: string): void {
  const body = JSON.stringify({ ErrorCode: status, ErrorMessage: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function clientIp(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function send(connection: Connection, frame: DeliveredFrame | ErrorFrame): void {
  if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(frame));
}

function closeGracefully({ socket }: Connection): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) {
      resolve();
      return;
    }
    const force = setTimeout(() => socket.terminate(), SHUTDOWN_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    socket.close(CLOSE_GOING_AWAY, 'server shutting down');
  });
}
