import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateChatTokenCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { isRecord } from '../shared/guards.js';
import { seededRandom } from './corpus.js';
import type { ClientConfig, ClientMessage, ClientReport, SentMessage } from './load-client-messages.js';
import { readClientConfig } from './load-client-messages.js';
import type { LoadUser } from './load-traffic.js';
import { planTraffic, userLines } from './load-traffic.js';
import { readEvalCorpus } from './scoring.js';

/**
 * The load test's clients, in a process of their own so that their work (every client parses every message
 * the room delivers) does not share an event loop with the stack they load: one official `ChatRoom` per user,
 * each with its own token from the real SDK's CreateChatToken, sending on the schedule of load-traffic.ts.
 * Started by bench/load-run.ts with the configuration as its argument; reports over IPC.
 */

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

/**
 * The room counts a sliding second on the server's clock: a send waits until `rate` sends ago is more than a
 * second and this margin old, so the trip's jitter does not push the room over its limit.
 */
const WINDOW_MARGIN_MS = 10;
/** How long a user disconnected by moderation waits before it connects again (with a fresh token). */
const RECONNECT_DELAY_MS = 1_000;
const SILENT = { debug: () => undefined, info: () => undefined, error: () => undefined };

interface ConnectedUser {
  readonly user: LoadUser;
  readonly room: ChatRoom;
  readonly pending: Map<string, SentMessage>;
  connected: boolean;
}

function tell(message: ClientMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('bench/load-clients.ts runs as a child process of bench/load-run.ts'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

async function run(config: ClientConfig): Promise<ClientReport> {
  const traffic = planTraffic(config.traffic);
  const random = seededRandom(config.traffic.seed);
  const lineOf = userLines(readEvalCorpus(), traffic.users.length, random);
  const ivschat = new IvschatClient({
    endpoint: config.controlPlaneUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'load', secretAccessKey: 'load' },
  });
  const errors: string[] = [];
  let finishing = false;
  let serverDisconnects = 0;
  let reconnects = 0;
  let framesReceived = 0;

  const connectUser = (user: LoadUser): { entry: ConnectedUser; connected: Promise<void> } => {
    const room = new ChatRoom({
      regionOrUrl: config.messagingUrl,
      tokenProvider: async () => {
        const { token, sessionExpirationTime, tokenExpirationTime } = await ivschat.send(
          new CreateChatTokenCommand({
            roomIdentifier: config.roomArn,
            userId: user.userId,
            capabilities: ['SEND_MESSAGE'],
            attributes: { role: 'viewer' },
          }),
        );
        if (token === undefined) throw new Error('CreateChatToken returned no token');
        return {
          token,
          ...(sessionExpirationTime && { sessionExpirationTime }),
          ...(tokenExpirationTime && { tokenExpirationTime }),
        };
      },
    });
    room.logger = SILENT;
    const entry: ConnectedUser = { user, room, pending: new Map(), connected: false };
    const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
    room.addListener('connect', () => {
      entry.connected = true;
    });
    room.addListener('message', () => framesReceived++);
    room.addListener('event', () => framesReceived++);
    room.addListener('messageDelete', () => framesReceived++);
    room.addListener('userDisconnect', () => framesReceived++);
    room.addListener('disconnect', (reason) => {
      entry.connected = false;
      // The official client never settles a request whose connection closed: note it for the checks.
      for (const message of entry.pending.values()) message.closedWhilePending = true;
      if (finishing) return;
      if (reason !== 'serverDisconnect') {
        errors.push(`${user.userId} disconnected: ${reason}`);
        return;
      }
      // Disconnected by moderation: come back, as a determined flooder would.
      serverDisconnects++;
      setTimeout(() => {
        if (finishing) return;
        reconnects++;
        room.connect();
      }, RECONNECT_DELAY_MS);
    });
    room.connect();
    return { entry, connected };
  };

  const connections = traffic.users.map(connectUser);
  await Promise.all(connections.map(({ connected }) => connected));
  const users = connections.map(({ entry }) => entry);

  const sent: SentMessage[] = [];
  const sendTimes: number[] = [];
  const rate = Math.round(config.traffic.ratePerSecond);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuAtStart = process.cpuUsage();
  const startedAtMs = Date.now();
  await tell({ type: 'started', atMs: startedAtMs });

  for (const [slot, userIndex] of traffic.slots.entries()) {
    const windowOpen =
      (sendTimes[sendTimes.length - rate] ?? Number.NEGATIVE_INFINITY) + 1_000 + WINDOW_MARGIN_MS;
    const wait = Math.max(startedAtMs + slot * traffic.intervalMs, windowOpen) - Date.now();
    if (wait > 0) await sleep(wait);
    const entry = users[userIndex];
    if (entry === undefined) continue;
    const line = lineOf(userIndex);
    const request = new SendMessageRequest(line.text);
    const message: SentMessage = {
      requestId: request.requestId,
      userId: entry.user.userId,
      role: entry.user.role,
      expected: line.expected,
      sentAtMs: Date.now(),
      outcome: 'skipped',
    };
    sent.push(message);
    if (!entry.connected) continue;
    let answer: Promise<unknown>;
    try {
      answer = entry.room.sendMessage(request);
    } catch {
      continue; // the room left 'connected' between the check and the send
    }
    sendTimes.push(message.sentAtMs);
    message.outcome = 'unanswered';
    entry.pending.set(request.requestId, message);
    answer.then(
      (delivered) => {
        entry.pending.delete(request.requestId);
        settleDelivered(message, delivered);
      },
      (error: unknown) => {
        entry.pending.delete(request.requestId);
        settleRefused(message, error);
      },
    );
  }
  const sendingEndedAtMs = Date.now();
  const cpu = process.cpuUsage(cpuAtStart);
  loopDelay.disable();
  await tell({ type: 'sent', atMs: sendingEndedAtMs });

  // A request whose connection closed will never be answered: wait only for the others.
  const awaitingAnswers = () =>
    users.some((entry) => [...entry.pending.values()].some((message) => message.closedWhilePending !== true));
  const deadline = Date.now() + config.settleTimeoutMs;
  while (awaitingAnswers() && Date.now() < deadline) await sleep(50);
  finishing = true;
  for (const entry of users) entry.room.disconnect();
  ivschat.destroy();
  const nanosToMs = (nanos: number) => nanos / 1e6;
  return {
    sent,
    startedAtMs,
    sendingEndedAtMs,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    eventLoopDelay: {
      p50Ms: nanosToMs(loopDelay.percentile(50)),
      p99Ms: nanosToMs(loopDelay.percentile(99)),
      maxMs: nanosToMs(loopDelay.max),
    },
    serverDisconnects,
    reconnects,
    framesReceived,
    errors,
  };
}

function settleDelivered(message: SentMessage, delivered: unknown): void {
  message.settledAtMs = Date.now();
  if (!isRecord(delivered) || typeof delivered.id !== 'string' || typeof delivered.content !== 'string') {
    message.outcome = 'error';
    message.errorMessage = 'the client resolved with something that is not a chat message';
    return;
  }
  message.outcome = 'delivered';
  message.messageId = delivered.id;
  message.content = delivered.content;
  message.masked = isRecord(delivered.attributes) && delivered.attributes['moderation.result'] === 'masked';
}

function settleRefused(message: SentMessage, error: unknown): void {
  message.settledAtMs = Date.now();
  const code = isRecord(error) && typeof error.errorCode === 'number' ? error.errorCode : undefined;
  message.outcome = code === 406 ? 'denied' : code === 429 ? 'throttled' : 'error';
  if (code !== undefined) message.errorCode = code;
  message.errorMessage =
    isRecord(error) && typeof error.errorMessage === 'string' ? error.errorMessage : String(error);
}

run(readClientConfig(JSON.parse(process.argv[2] ?? 'null')))
  .then((report) => tell({ type: 'report', report }))
  .catch((error: unknown) =>
    tell({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  )
  .finally(() => process.disconnect?.());
