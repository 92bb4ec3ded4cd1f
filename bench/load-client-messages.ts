import { isRecord } from '../shared/guards.js';
import type { TrafficOptions } from './load-traffic.js';

/**
 * What the load test's client process (bench/load-clients.ts) and the process running the stack
 * (bench/load-run.ts) tell each other: the configuration, passed as the child's argument, and the messages the
 * child sends back over IPC. Both sides read what they receive with these checks: it crossed a process boundary.
 */

export interface ClientConfig {
  readonly controlPlaneUrl: string;
  readonly messagingUrl: string;
  readonly roomArn: string;
  readonly traffic: TrafficOptions;
  /** How long to wait, after the last send, for answers still outstanding. */
  readonly settleTimeoutMs: number;
}

export type Outcome =
  /** The sender got its MESSAGE back: delivered. */
  | 'delivered'
  /** 406: refused by review. */
  | 'denied'
  /** 429: over the room's rate. */
  | 'throttled'
  /** Any other error frame. */
  | 'error'
  /** No answer before the settle timeout (the connection closed with the request pending, typically). */
  | 'unanswered'
  /** Not sent: the user was disconnected when its slot came. */
  | 'skipped';

const OUTCOMES: readonly Outcome[] = ['delivered', 'denied', 'throttled', 'error', 'unanswered', 'skipped'];

/** One send slot and what became of it, as the official client saw it. */
export interface SentMessage {
  readonly requestId: string;
  readonly userId: string;
  readonly role: 'chatter' | 'flooder';
  /** The evaluation corpus's label of the line sent. */
  readonly expected: 'flag' | 'clean';
  readonly sentAtMs: number;
  outcome: Outcome;
  settledAtMs?: number;
  messageId?: string;
  /** What was delivered (masked when review masked it). */
  content?: string;
  masked?: boolean;
  errorCode?: number;
  errorMessage?: string;
  /** The connection closed while the request was outstanding. */
  closedWhilePending?: boolean;
}

export interface ClientReport {
  readonly sent: readonly SentMessage[];
  readonly startedAtMs: number;
  readonly sendingEndedAtMs: number;
  /** CPU time of the client process over the sending phase (user + system). */
  readonly cpuMs: number;
  /** The client process's event loop delay over the sending phase. */
  readonly eventLoopDelay: LoopDelay;
  readonly serverDisconnects: number;
  readonly reconnects: number;
  /** Frames the clients received (every delivered message reaches every client, and events). */
  readonly framesReceived: number;
  readonly errors: readonly string[];
}

export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export type ClientMessage =
  | { readonly type: 'started'; readonly atMs: number }
  | { readonly type: 'sent'; readonly atMs: number }
  | { readonly type: 'report'; readonly report: ClientReport }
  | { readonly type: 'failed'; readonly error: string };

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function readClientConfig(value: unknown): ClientConfig {
  if (
    !isRecord(value) ||
    typeof value.controlPlaneUrl !== 'string' ||
    typeof value.messagingUrl !== 'string' ||
    typeof value.roomArn !== 'string' ||
    !isNumber(value.settleTimeoutMs) ||
    !isRecord(value.traffic)
  )
    throw new Error('the client configuration is not one');
  const { clients, flooders, ratePerSecond, durationSeconds, floodFactor, seed } = value.traffic;
  if (
    !isNumber(clients) ||
    !isNumber(flooders) ||
    !isNumber(ratePerSecond) ||
    !isNumber(durationSeconds) ||
    !isNumber(floodFactor) ||
    !isNumber(seed)
  )
    throw new Error('the client configuration has no traffic options');
  return {
    controlPlaneUrl: value.controlPlaneUrl,
    messagingUrl: value.messagingUrl,
    roomArn: value.roomArn,
    settleTimeoutMs: value.settleTimeoutMs,
    traffic: { clients, flooders, ratePerSecond, durationSeconds, floodFactor, seed },
  };
}

/** A message from the client process, or undefined when it is none. */
export function readClientMessage(value: unknown): ClientMessage | undefined {
  if (!isRecord(value)) return undefined;
  if ((value.type === 'started' || value.type === 'sent') && isNumber(value.atMs))
    return { type: value.type, atMs: value.atMs };
  if (value.type === 'failed' && typeof value.error === 'string')
    return { type: 'failed', error: value.error };
  if (value.type !== 'report') return undefined;
  const report = readReport(value.report);
  return report === undefined ? undefined : { type: 'report', report };
}

function readReport(value: unknown): ClientReport | undefined {
  if (!isRecord(value) || !Array.isArray(value.sent) || !isRecord(value.eventLoopDelay)) return undefined;
  const { startedAtMs, sendingEndedAtMs, cpuMs, serverDisconnects, reconnects, framesReceived, errors } =
    value;
  const { p50Ms, p99Ms, maxMs } = value.eventLoopDelay;
  if (
    !isNumber(startedAtMs) ||
    !isNumber(sendingEndedAtMs) ||
    !isNumber(cpuMs) ||
    !isNumber(serverDisconnects) ||
    !isNumber(reconnects) ||
    !isNumber(framesReceived) ||
    !isNumber(p50Ms) ||
    !isNumber(p99Ms) ||
    !isNumber(maxMs) ||
    !Array.isArray(errors) ||
    !errors.every((error) => typeof error === 'string')
  )
    return undefined;
  const sent: SentMessage[] = [];
  for (const entry of value.sent) {
    const message = readSentMessage(entry);
    if (message === undefined) return undefined;
    sent.push(message);
  }
  return {
    sent,
    startedAtMs,
    sendingEndedAtMs,
    cpuMs,
    eventLoopDelay: { p50Ms, p99Ms, maxMs },
    serverDisconnects,
    reconnects,
    framesReceived,
    errors,
  };
}

function readSentMessage(value: unknown): SentMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { requestId, userId, role, expected, sentAtMs, outcome } = value;
  const found = OUTCOMES.find((known) => known === outcome);
  if (
    typeof requestId !== 'string' ||
    typeof userId !== 'string' ||
    (role !== 'chatter' && role !== 'flooder') ||
    (expected !== 'flag' && expected !== 'clean') ||
    !isNumber(sentAtMs) ||
    found === undefined
  )
    return undefined;
  const message: SentMessage = { requestId, userId, role, expected, sentAtMs, outcome: found };
  const { settledAtMs, messageId, content, masked, errorCode, errorMessage, closedWhilePending } = value;
  if (isNumber(settledAtMs)) message.settledAtMs = settledAtMs;
  if (typeof messageId === 'string') message.messageId = messageId;
  if (typeof content === 'string') message.content = content;
  if (typeof masked === 'boolean') message.masked = masked;
  if (isNumber(errorCode)) message.errorCode = errorCode;
  if (typeof errorMessage === 'string') message.errorMessage = errorMessage;
  if (typeof closedWhilePending === 'boolean') message.closedWhilePending = closedWhilePending;
  return message;
}
