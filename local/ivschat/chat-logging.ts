import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { isRecord } from '../../shared/guards.js';
import { lambdaContext } from '../lambda-context.js';
import type { LambdaHandler } from '../load-function.js';
import type { ChatLogRecord, ChatState, LoggingDestination } from './chat-state.js';

export type { LambdaHandler };

/**
 * Chat logging for the emulator: what IVS does with the records of a room
 * whose logging configurations name a destination (contracts §2). Records
 * are batched per destination and room for a short delay, then
 * - CloudWatch Logs: wrapped in the subscription envelope (§2.4) and handed
 *   to a sink, typically the subscribed consumer function;
 * - Firehose: sent through the delivery stream's transformation function
 *   (§2.5), whose reply is checked, and the Ok records written to a folder
 *   laid out like the stream's S3 destination;
 * - S3: written as gzip NDJSON objects in the §2.3 layout.
 */

/** Receives one CloudWatch Logs subscription event (one log stream, so one room). */
export type CloudWatchLogsSink = (
  event: CloudWatchLogsEvent,
  decoded: CloudWatchLogsDecodedData,
) => Promise<void>;

export interface FirehoseSink {
  /** Local stand-in for the delivery stream's S3 destination; one folder per stream inside it. */
  readonly directory: string;
  /** The stream's transformation function, if it has one; without one records pass unchanged. */
  readonly transformation?: (deliveryStreamName: string) => LambdaHandler | undefined;
}

export interface S3Sink {
  /** Local stand-in for S3: one folder per bucket inside it. */
  readonly directory: string;
}

/** Where each destination kind goes; a destination without a sink is not delivered. */
export interface ChatLoggingSinks {
  readonly cloudWatchLogs?: CloudWatchLogsSink;
  readonly firehose?: FirehoseSink;
  readonly s3?: S3Sink;
}

export interface ChatLoggingOptions {
  /** How long records wait to be batched (IVS: ~10 s for CloudWatch Logs and Firehose, ~5 min for S3). */
  readonly delayMs?: number;
  /** A batch is delivered at once when it reaches this many records. */
  readonly maxBatchRecords?: number;
  /** Told about every failed delivery as it happens; flush() also rejects with them. */
  readonly onError?: (error: ChatLogDeliveryError) => void;
}

export interface ChatLogging {
  /** Delivers every waiting batch now; rejects if any delivery since the last flush failed. */
  flush(): Promise<void>;
  /** Stops listening, then flushes. */
  close(): Promise<void>;
}

/** A batch that could not be delivered as the destination expects; the records are kept (see each sink). */
export class ChatLogDeliveryError extends Error {
  constructor(
    readonly destination: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`chat logging to ${destination}: ${message}`, options);
    this.name = 'ChatLogDeliveryError';
  }
}

// Lambda retries a failed asynchronous invocation twice; Firehose retries a failed transformation 3 times.
const CLOUDWATCH_LOGS_ATTEMPTS = 3;
const FIREHOSE_ATTEMPTS = 4;

interface Batch {
  readonly destination: LoggingDestination;
  readonly roomId: string;
  readonly records: Readonly<Record<string, unknown>>[];
  timer?: NodeJS.Timeout;
}

export function startChatLogging(
  state: ChatState,
  sinks: ChatLoggingSinks,
  { delayMs = 1_000, maxBatchRecords = 500, onError }: ChatLoggingOptions = {},
): ChatLogging {
  const batches = new Map<string, Batch>();
  const inFlight = new Set<Promise<void>>();
  let failures: ChatLogDeliveryError[] = [];

  const deliverBatch = (key: string): void => {
    const batch = batches.get(key);
    if (batch === undefined) return;
    batches.delete(key);
    clearTimeout(batch.timer);
    const delivery = deliver(state, sinks, batch).catch((error: unknown) => {
      const failure =
        error instanceof ChatLogDeliveryError
          ? error
          : new ChatLogDeliveryError(describeDestination(batch.destination), String(error), { cause: error });
      failures.push(failure);
      onError?.(failure);
    });
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  };

  const stopListening = state.onChatLog(({ roomArn, record }: ChatLogRecord) => {
    const room = state.rooms.get(roomArn);
    if (room === undefined) return;
    for (const identifier of room.loggingConfigurationIdentifiers) {
      const configuration = state.findLoggingConfiguration(identifier);
      if (configuration === undefined) continue;
      const key = `${configuration.arn} ${room.id}`;
      let batch = batches.get(key);
      if (batch === undefined) {
        batch = { destination: configuration.destinationConfiguration, roomId: room.id, records: [] };
        batches.set(key, batch);
        // Unref'd: a pending batch must not keep a finished process alive; close() delivers it.
        batch.timer = setTimeout(() => deliverBatch(key), delayMs).unref();
      }
      batch.records.push(record);
      if (batch.records.length >= maxBatchRecords) deliverBatch(key);
    }
  });

  const flush = async (): Promise<void> => {
    for (const key of [...batches.keys()]) deliverBatch(key);
    while (inFlight.size > 0) await Promise.all(inFlight);
    const failed = failures;
    failures = [];
    if (failed.length === 1 && failed[0] !== undefined) throw failed[0];
    if (failed.length > 1)
      throw new AggregateError(failed, `chat logging: ${failed.length} deliveries failed`);
  };

  return {
    flush,
    close: async () => {
      stopListening();
      await flush();
    },
  };
}

function describeDestination(destination: LoggingDestination): string {
  if ('cloudWatchLogs' in destination) return `log group ${destination.cloudWatchLogs.logGroupName}`;
  if ('firehose' in destination) return `delivery stream ${destination.firehose.deliveryStreamName}`;
  return `bucket ${destination.s3.bucketName}`;
}

async function deliver(state: ChatState, sinks: ChatLoggingSinks, batch: Batch): Promise<void> {
  const { destination } = batch;
  if ('cloudWatchLogs' in destination) {
    if (sinks.cloudWatchLogs === undefined) return;
    const decoded = subscriptionData(state, destination.cloudWatchLogs.logGroupName, batch);
    const event = encodeSubscriptionEvent(decoded);
    const sink = sinks.cloudWatchLogs;
    await withAttempts(CLOUDWATCH_LOGS_ATTEMPTS, describeDestination(destination), () =>
      sink(event, decoded),
    );
  } else if ('firehose' in destination) {
    if (sinks.firehose !== undefined)
      await deliverToFirehose(state, sinks.firehose, destination.firehose.deliveryStreamName, batch.records);
  } else if (sinks.s3 !== undefined) {
    await writeS3Object(state, sinks.s3, destination.s3.bucketName, batch);
  }
}

async function withAttempts<T>(attempts: number, destination: string, run: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await run();
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ChatLogDeliveryError(destination, `failed ${attempts} times: ${reason}`, { cause: lastError });
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs (§2.4)

/** The log stream IVS writes a room's records to (§2.3); consumers recover the room from it. */
export function logStreamName(roomId: string): string {
  return `aws/IVSChatLogs/1.0/room_${roomId}`;
}

let logEventSequence = 0;

/** CloudWatch log event ids are 56-digit strings that sort by time; only uniqueness matters here. */
function logEventId(timestamp: number): string {
  logEventSequence = (logEventSequence + 1) % 1e9;
  return `${String(timestamp).padStart(20, '0')}${String(logEventSequence).padStart(36, '0')}`;
}

function eventTime(record: Readonly<Record<string, unknown>>, fallback: Date): number {
  const time = typeof record.event_timestamp === 'string' ? Date.parse(record.event_timestamp) : Number.NaN;
  return Number.isNaN(time) ? fallback.getTime() : time;
}

function subscriptionData(state: ChatState, logGroup: string, batch: Batch): CloudWatchLogsDecodedData {
  const now = state.now();
  return {
    messageType: 'DATA_MESSAGE',
    owner: state.accountId,
    logGroup,
    logStream: logStreamName(batch.roomId),
    subscriptionFilters: ['ivs-chat-moderation-local'],
    logEvents: batch.records.map((record) => {
      const timestamp = eventTime(record, now);
      return { id: logEventId(timestamp), timestamp, message: JSON.stringify(record) };
    }),
  };
}

/** gzip, then base64, as CloudWatch Logs delivers to a subscribed Lambda function. */
export function encodeSubscriptionEvent(decoded: CloudWatchLogsDecodedData): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(JSON.stringify(decoded)).toString('base64') } };
}

/** A sink that invokes a subscribed consumer function the way Lambda would, with its configured timeout. */
export function subscribedFunction(
  handler: LambdaHandler,
  functionName: string,
  timeoutMs?: number,
): CloudWatchLogsSink {
  return async (event) => {
    await handler(event, lambdaContext(functionName, timeoutMs));
  };
}

/** Where logGroupFolder(directory) writes a log stream's records. */
export function logStreamFile(directory: string, logGroup: string, logStream: string): string {
  return path.join(directory, safeName(logGroup), `${safeName(logStream)}.log`);
}

/**
 * A sink that appends each log event's message to `<directory>/<log group>/<log stream>.log`, one per line. A
 * batch whose delivery is retried (the subscribed consumer failed) is written once: the log group holds each
 * record once, only the subscription is retried.
 */
export function logGroupFolder(directory: string): CloudWatchLogsSink {
  const written = new WeakSet<CloudWatchLogsDecodedData>();
  return async (_event, decoded) => {
    if (written.has(decoded)) return;
    written.add(decoded);
    const { logGroup, logStream, logEvents } = decoded;
    const file = logStreamFile(directory, logGroup, logStream);
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, logEvents.map(({ message }) => `${message}\n`).join(''));
  };
}

/** Every sink gets each event; the first failure is reported after all have run. */
export function allOf(...sinks: readonly CloudWatchLogsSink[]): CloudWatchLogsSink {
  return async (event, decoded) => {
    const results = await Promise.allSettled(sinks.map((sink) => sink(event, decoded)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
}

/** Log group and stream names may hold `/` and `.`: keep each a single, harmless path segment. */
function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^\.+$/.test(safe) ? `_${safe}` : safe;
}

// ---------------------------------------------------------------------------------------------
// Firehose (§2.5)

const FIREHOSE_RESULTS = new Set(['Ok', 'Dropped', 'ProcessingFailed']);
/** Base64 with its padding; a length check rather than a repeated group, which overflows the stack on megabytes. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64.test(text);

interface FirehoseInputRecord {
  readonly recordId: string;
  readonly approximateArrivalTimestamp: number;
  readonly data: string;
}

type FirehoseResult = { readonly recordId: string; readonly result: string; readonly data: string };

async function deliverToFirehose(
  state: ChatState,
  sink: FirehoseSink,
  streamName: string,
  records: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  const arrival = state.now().getTime();
  // Direct IVS → Firehose framing is unverified (§2.3): one JSON record per Firehose record, newline-ended
  // so the S3 objects Firehose concatenates stay NDJSON.
  const input: FirehoseInputRecord[] = records.map((record) => ({
    recordId: randomUUID(),
    approximateArrivalTimestamp: arrival,
    data: Buffer.from(`${JSON.stringify(record)}\n`).toString('base64'),
  }));
  const streamFolder = path.join(sink.directory, safeName(streamName));
  const transform = sink.transformation?.(streamName);
  if (transform === undefined) {
    await writeFirehoseObject(state, streamFolder, streamName, input);
    return;
  }
  const functionName = `${streamName}-transformation`;
  const event = {
    invocationId: randomUUID(),
    deliveryStreamArn: `arn:aws:firehose:${state.region}:${state.accountId}:deliverystream/${streamName}`,
    region: state.region,
    records: input,
  };
  const destination = `delivery stream ${streamName}`;
  let reply: unknown;
  try {
    reply = await withAttempts(FIREHOSE_ATTEMPTS, destination, () =>
      transform(structuredClone(event), lambdaContext(functionName, 60_000)),
    );
  } catch (error) {
    await writeProcessingFailed(state, streamFolder, input, 'Lambda.FunctionError', String(error));
    throw error;
  }
  const checked = checkTransformationReply(reply, input);
  if (typeof checked === 'string') {
    // Firehose counts the whole invocation as a transformation failure; the records go to processing-failed.
    await writeProcessingFailed(state, streamFolder, input, 'Lambda.InvalidOutput', checked);
    throw new ChatLogDeliveryError(destination, `invalid transformation reply: ${checked}`);
  }
  const byId = new Map(input.map((record) => [record.recordId, record]));
  const ok = checked.filter(({ result }) => result === 'Ok');
  const failed = checked.flatMap(({ recordId, result }) => {
    const original = byId.get(recordId);
    return result === 'ProcessingFailed' && original !== undefined ? [original] : [];
  });
  await writeFirehoseObject(
    state,
    streamFolder,
    streamName,
    ok.map(({ recordId, data }) => ({ recordId, approximateArrivalTimestamp: arrival, data })),
  );
  await writeProcessingFailed(
    state,
    streamFolder,
    failed,
    'Lambda.ProcessingFailedStatus',
    'the transformation returned ProcessingFailed',
  );
}

/**
 * Checks a transformation reply against the input batch (§2.5): every input recordId answered exactly
 * once, nothing else, each with a known result and base64 data. Returns the records, or what is wrong.
 */
export function checkTransformationReply(
  reply: unknown,
  input: readonly { readonly recordId: string }[],
): FirehoseResult[] | string {
  if (!isRecord(reply) || !Array.isArray(reply.records)) return 'expected an object with a records array';
  const expected = new Set(input.map(({ recordId }) => recordId));
  const seen = new Set<string>();
  const results: FirehoseResult[] = [];
  for (const [index, record] of reply.records.entries()) {
    const at = `records[${index}]`;
    if (!isRecord(record)) return `${at} is not an object`;
    const { recordId, result, data } = record;
    if (typeof recordId !== 'string') return `${at}.recordId is missing`;
    if (!expected.has(recordId)) return `${at}.recordId ${JSON.stringify(recordId)} was not in the batch`;
    if (seen.has(recordId)) return `${at}.recordId ${JSON.stringify(recordId)} is answered twice`;
    seen.add(recordId);
    if (typeof result !== 'string' || !FIREHOSE_RESULTS.has(result))
      return `${at}.result must be Ok, Dropped or ProcessingFailed, got ${JSON.stringify(result)}`;
    if (typeof data !== 'string' || !isBase64(data)) return `${at}.data must be a base64 string`;
    results.push({ recordId, result, data });
  }
  const missing = [...expected].filter((recordId) => !seen.has(recordId));
  if (missing.length > 0) return `${missing.length} of ${expected.size} records not answered`;
  return results;
}

/** `YYYY/MM/DD/HH` in UTC, the time prefix S3 destinations use. */
function hourPrefix(time: Date): string[] {
  const iso = time.toISOString();
  return [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
}

async function writeFirehoseObject(
  state: ChatState,
  streamFolder: string,
  streamName: string,
  records: readonly FirehoseInputRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const now = state.now();
  // Firehose's default object name: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random>, uncompressed.
  const stamp = now.toISOString().slice(0, 19).replace(/[T:]/g, '-');
  const file = path.join(
    streamFolder,
    ...hourPrefix(now),
    `${safeName(streamName)}-1-${stamp}-${randomUUID()}`,
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.concat(records.map(({ data }) => Buffer.from(data, 'base64'))));
}

/**
 * Records Firehose could not transform, kept as Firehose keeps them: one JSON line each (with the raw data)
 * under `processing-failed/`. The errorCode values are this emulator's names, not confirmed Firehose codes.
 */
async function writeProcessingFailed(
  state: ChatState,
  streamFolder: string,
  records: readonly FirehoseInputRecord[],
  errorCode: string,
  errorMessage: string,
): Promise<void> {
  if (records.length === 0) return;
  const now = state.now();
  const lines = records.map((record) =>
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: record.approximateArrivalTimestamp,
      errorCode,
      errorMessage,
      attemptEndingTimestamp: now.getTime(),
      rawData: record.data,
    }),
  );
  const file = path.join(streamFolder, 'processing-failed', ...hourPrefix(now), `${randomUUID()}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// S3 (§2.3)

/** The key prefix IVS writes a room's log objects under (the `<yyyy>/<mm>/<dd>/<hh>` part is unverified). */
export function s3KeyPrefix(state: ChatState, roomId: string, time: Date): string {
  return [
    'AWSLogs',
    state.accountId,
    'IVSChatLogs',
    '1.0',
    state.region,
    `room_${roomId}`,
    ...hourPrefix(time),
  ].join('/');
}

async function writeS3Object(
  state: ChatState,
  sink: S3Sink,
  bucketName: string,
  batch: Batch,
): Promise<void> {
  const now = state.now();
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 13);
  const name = `${state.accountId}_IVSChatLogs_1.0_${state.region}_room_${batch.roomId}_${stamp}Z_${randomUUID().slice(0, 8)}.log.gz`;
  const file = path.join(
    sink.directory,
    safeName(bucketName),
    ...s3KeyPrefix(state, batch.roomId, now).split('/'),
    name,
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, gzipSync(batch.records.map((record) => `${JSON.stringify(record)}\n`).join('')));
}
