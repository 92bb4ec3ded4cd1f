import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { parseDocument } from 'yaml';
import { DEFAULT_POLICY_FILE } from '../build/review-policy-plugin.js';
import { logStreamFile, logStreamName } from '../local/ivschat/chat-logging.js';
import type { ReviewRecord, Room, RoomEvent } from '../local/ivschat/chat-state.js';
import { REVIEW_TIMEOUT_MS } from '../local/ivschat/message-review.js';
import { lambdaContext } from '../local/lambda-context.js';
import type { LambdaHandler } from '../local/load-function.js';
import type { RunningStack } from '../local/stack.js';
import { CHAT_LOG_CONSUMER_TIMEOUT_MS, LOCAL_TABLES, startStack } from '../local/stack.js';
import type { LoggedRecord } from '../shared/chat-logs/chat-log-record.js';
import { parseChatLogLine } from '../shared/chat-logs/chat-log-record.js';
import { decodeSubscriptionEvent } from '../shared/chat-logs/log-envelopes.js';
import { isRecord } from '../shared/guards.js';
import { loadPolicyFile } from '../shared/policy/load-policy-file.js';
import { queryPartition } from '../shared/store/query-partition.js';
import { roomKey, sanctionKey } from '../shared/store/sanction-item.js';
import { seededRandom } from './corpus.js';
import { captureFunctionLogs } from './function-logs.js';
import type {
  CheckResult,
  ConsumerDelivery,
  ConsumerPlan,
  EmulatorCall,
  LoadSummary,
} from './load-checks.js';
import { checkLoad, summarizeLoad } from './load-checks.js';
import type { ClientConfig, ClientReport, LoopDelay } from './load-client-messages.js';
import { readClientMessage } from './load-client-messages.js';
import type { TrafficOptions } from './load-traffic.js';
import { floodLimitFor, planTraffic } from './load-traffic.js';

/**
 * One load test on the local stack (the one `npm start` runs): a room at a given maximum message rate, many
 * official clients in a child process sending at that rate for a fixed time, then the chat logs drained and
 * every message and action checked (load-checks.ts). `npm run load-test` (load-test.ts) and
 * test/local/load.test.ts run it.
 */

export interface LoadTestOptions extends TrafficOptions {
  /** The flood rule's window; default the shipped policy's. */
  readonly floodWindowSeconds?: number;
  /** The share of chat log batches CloudWatch Logs delivers to the consumer a second time. */
  readonly redeliverShare: number;
  /** How long chat log records are batched before delivery (IVS: about 10 s). */
  readonly chatLogDelayMs: number;
  /** The chat log consumer's execution environments (serverless.yml's reserved concurrency is 4). */
  readonly consumerConcurrency: number;
  /** How long, after the last send, the clients wait for outstanding answers. */
  readonly settleTimeoutMs?: number;
  /** Told what the run is doing. */
  readonly progress?: (line: string) => void;
}

export interface ProcessLoad {
  /** CPU time over the sending phase, as a share of one core. */
  readonly cpuShare: number;
  readonly eventLoopDelay: LoopDelay;
}

export interface LoadTestResult {
  readonly startedAt: string;
  readonly options: LoadTestOptions;
  readonly chatterRatePerSecond: number;
  readonly flooderRatePerSecond: number;
  /** The policy's flood rule as the run used it, and as shipped. */
  readonly flood: { readonly maxMessages: number; readonly windowSeconds: number; readonly shipped: string };
  readonly sendingSeconds: number;
  /** From the last send until the chat logs and what they set off were all delivered. */
  readonly drainSeconds: number;
  readonly stack: ProcessLoad;
  readonly clients: ProcessLoad & Pick<ClientReport, 'serverDisconnects' | 'reconnects' | 'framesReceived'>;
  readonly loadAverage: { readonly before: readonly number[]; readonly after: readonly number[] };
  /** WARN and ERROR lines of the functions, by function and message. */
  readonly functionWarnings: readonly (readonly [string, number])[];
  readonly summary: LoadSummary;
  readonly checks: readonly CheckResult[];
}

const SHIPPED_FLOOD = ['enforcement', 'flood'] as const;

/** The shipped policy with the flood limit raised above a chatter's share of the room's rate. */
async function loadPolicy(directory: string, chatterRate: number, windowSeconds: number | undefined) {
  const document = parseDocument(await readFile(DEFAULT_POLICY_FILE, 'utf8'));
  const shippedMax = document.getIn([...SHIPPED_FLOOD, 'maxMessages']);
  const shippedWindow = document.getIn([...SHIPPED_FLOOD, 'windowSeconds']);
  if (typeof shippedMax !== 'number' || typeof shippedWindow !== 'number')
    throw new Error(`${DEFAULT_POLICY_FILE} has no enforcement.flood rule`);
  const window = windowSeconds ?? shippedWindow;
  const maxMessages = Math.max(shippedMax, floodLimitFor(chatterRate, window));
  document.setIn([...SHIPPED_FLOOD, 'maxMessages'], maxMessages);
  document.setIn([...SHIPPED_FLOOD, 'windowSeconds'], window);
  const file = path.join(directory, 'load-policy.yaml');
  await writeFile(file, document.toString());
  return {
    file,
    warningEventName: loadPolicyFile(file).enforcement.warningEventName,
    flood: { maxMessages, windowSeconds: window, shipped: `${shippedMax} in ${shippedWindow} s` },
  };
}

/**
 * The chat log consumer as the test sees it: every batch it is given (the room's records, when), and a share of
 * first deliveries delivered again a little later, as CloudWatch Logs may.
 */
function consumerTap(roomId: () => string, redeliverShare: number, delayMs: number, random: () => number) {
  const deliveries: ConsumerDelivery[] = [];
  const batches = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const errors: string[] = [];
  const wrap =
    (consumer: LambdaHandler): LambdaHandler =>
    async (event: unknown, context: Context) => {
      const arrivedAtMs = Date.now();
      const envelope = decodeSubscriptionEvent(event);
      const data = isRecord(event) && isRecord(event.awslogs) ? event.awslogs.data : undefined;
      if (envelope.kind !== 'data' || envelope.roomId !== roomId() || typeof data !== 'string')
        return consumer(event, context);
      const records = envelope.logEvents.map(({ message }) => parseChatLogLine(message));
      const known = batches.get(data);
      const batch = known ?? batches.size;
      batches.set(data, batch);
      deliveries.push({
        invocationId: context.awsRequestId,
        batch,
        redelivery: known !== undefined,
        arrivedAtMs,
        recordIds: records.flatMap((parsed) => (parsed.ok ? [parsed.record.id] : [])),
        messageSentAtMs: records.flatMap((parsed) =>
          parsed.ok && parsed.record.type === 'MESSAGE' ? [parsed.record.sendTime.epochMillis] : [],
        ),
      });
      const result = await consumer(event, context);
      if (known === undefined && random() < redeliverShare) {
        const again = sleep(random() * delayMs)
          .then(() =>
            wrapped(
              structuredClone(event),
              lambdaContext(context.functionName, CHAT_LOG_CONSUMER_TIMEOUT_MS),
            ),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              errors.push(`redelivery of batch ${batch} failed: ${String(error)}`);
            },
          );
        pending.add(again);
        void again.finally(() => pending.delete(again));
      }
      return result;
    };
  let wrapped: LambdaHandler = async () => undefined;
  return {
    deliveries,
    errors,
    wrap: (consumer: LambdaHandler) => {
      wrapped = wrap(consumer);
      return wrapped;
    },
    /** Waits for the redeliveries still to come; true if there were any. */
    settle: async () => {
      if (pending.size === 0) return false;
      while (pending.size > 0) await Promise.all(pending);
      return true;
    },
  };
}

/** The moderation call a control-plane room event stands for. */
function emulatorCall(event: RoomEvent): EmulatorCall {
  if (event.kind === 'disconnect') return { operation: 'DisconnectUser', userId: event.userId };
  if (event.eventName === 'aws:DELETE_MESSAGE')
    return { operation: 'DeleteMessage', messageId: event.attributes.MessageId ?? '' };
  return { operation: 'SendEvent', eventName: event.eventName, userId: event.attributes.userId };
}

/** The plans the consumer logged (`chat logs moderated`, with each action's kind and key). */
function consumerPlans(entries: readonly Readonly<Record<string, unknown>>[]): ConsumerPlan[] {
  return entries.flatMap((entry) => {
    const { message, function_request_id: invocationId, actions = [], failed = [], replans } = entry;
    if (message !== 'chat logs moderated' || typeof invocationId !== 'string') return [];
    if (!Array.isArray(actions) || !Array.isArray(failed)) return [];
    return [
      {
        invocationId,
        replans: typeof replans === 'number' && Number.isSafeInteger(replans) ? replans : 0,
        actions: actions.flatMap((action: unknown) =>
          isRecord(action) && typeof action.kind === 'string' && typeof action.key === 'string'
            ? [{ kind: action.kind, key: action.key }]
            : [],
        ),
        failed: failed.flatMap((failure: unknown) =>
          isRecord(failure) && typeof failure.key === 'string'
            ? [{ key: failure.key, error: String(failure.error) }]
            : [],
        ),
      },
    ];
  });
}

function countEntries(entries: readonly Readonly<Record<string, unknown>>[], levels: readonly string[]) {
  const counts = new Map<string, number>();
  for (const { level, function_name: name, message } of entries) {
    if (typeof level !== 'string' || !levels.includes(level)) continue;
    const key = `${String(name)} ${level}: ${String(message)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Runs the clients in their own process; resolves with their report, timing this process meanwhile. */
function runClients(config: ClientConfig, onStarted: () => void, onSent: () => void): Promise<ClientReport> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-clients.ts'), [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: ClientReport | undefined;
    child.on('message', (value: unknown) => {
      const message = readClientMessage(value);
      if (message === undefined) reject(new Error('the client process sent something unreadable'));
      else if (message.type === 'started') onStarted();
      else if (message.type === 'sent') onSent();
      else if (message.type === 'failed') reject(new Error(`the client process failed: ${message.error}`));
      else report = message.report;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report !== undefined) resolve(report);
      else reject(new Error(`the client process exited (${code}) without a report`));
    });
  });
}

/** Delivers what the chat logs still hold, and what that makes the consumer do, until nothing more comes. */
async function drain(stack: RunningStack, tap: ReturnType<typeof consumerTap>, published: () => number) {
  for (;;) {
    const before = published();
    // A failed delivery was reported through onChatLogError already.
    await stack.chatLogging.flush().catch(() => undefined);
    const redelivered = await tap.settle();
    if (published() === before && !redelivered) return;
  }
}

async function sanctionedUsers(stack: RunningStack, roomArn: string): Promise<Set<string>> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: stack.state.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  try {
    const items = await queryPartition(client, LOCAL_TABLES.enforcement, roomKey(roomArn), {
      consistent: true,
    });
    const prefix = sanctionKey('');
    return new Set(
      items.flatMap(({ sk }) =>
        typeof sk === 'string' && sk.startsWith(prefix) ? [sk.slice(prefix.length)] : [],
      ),
    );
  } finally {
    client.destroy();
  }
}

/** The CloudWatch Logs log group the room's (the lobby's) logging configuration names. */
function logGroupOf(stack: RunningStack, room: Room): string {
  for (const identifier of room.loggingConfigurationIdentifiers) {
    const destination = stack.state.findLoggingConfiguration(identifier)?.destinationConfiguration;
    if (destination !== undefined && 'cloudWatchLogs' in destination)
      return destination.cloudWatchLogs.logGroupName;
  }
  throw new Error(`room ${room.arn} logs to no CloudWatch Logs log group`);
}

async function readLoggedRecords(file: string, errors: string[]): Promise<LoggedRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line, index) => {
      const parsed = parseChatLogLine(line);
      if (parsed.ok) return [parsed.record];
      errors.push(`${path.basename(file)}:${index + 1}: ${parsed.reason}`);
      return [];
    });
}

function processLoad(
  cpu: NodeJS.CpuUsage,
  elapsedMs: number,
  delay: ReturnType<typeof monitorEventLoopDelay>,
) {
  return {
    cpuShare: (cpu.user + cpu.system) / 1_000 / elapsedMs,
    eventLoopDelay: {
      p50Ms: delay.percentile(50) / 1e6,
      p99Ms: delay.percentile(99) / 1e6,
      maxMs: delay.max / 1e6,
    },
  };
}

/** Sets variables for the run and gives back how to put them back. */
function setEnvironment(values: Readonly<Record<string, string>>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const progress = options.progress ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const traffic = planTraffic(options);
  const dataDirectory = await mkdtemp(path.join(os.tmpdir(), 'load-test-'));
  const policy = await loadPolicy(dataDirectory, traffic.chatterRatePerSecond, options.floodWindowSeconds);
  const restoreEnvironment = setEnvironment({
    // The consumer's plan is an INFO line; the review function logs only moderated messages at INFO.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // Published (into the captured function output) rather than disabled, which makes Powertools warn of none;
    // named as serverless.yml names them.
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'ivs-chat-moderation',
    POWERTOOLS_METRICS_NAMESPACE: 'IvsChatModeration',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const logs = captureFunctionLogs();
  const errors: string[] = [];
  const reviews: ReviewRecord[] = [];
  const calls: EmulatorCall[] = [];
  let published = 0;
  let stack: RunningStack | undefined;
  try {
    progress('starting the local stack (bundling the functions)…');
    let roomId = '';
    const tap = consumerTap(
      () => roomId,
      options.redeliverShare,
      options.chatLogDelayMs,
      seededRandom(options.seed ^ 0x5eed),
    );
    const running = await startStack({
      dataDirectory,
      policyFile: policy.file,
      chatLogDelayMs: options.chatLogDelayMs,
      enforceQuotas: true,
      chatLogConsumerConcurrency: options.consumerConcurrency,
      wrapChatLogConsumer: tap.wrap,
      onChatLogError: (error) => errors.push(error.message),
    });
    stack = running;
    const lobby = running.rooms.get('lobby');
    const reviewUri = lobby?.messageReviewHandler?.uri;
    if (lobby === undefined || reviewUri === undefined)
      throw new Error('the local stack has no reviewed lobby');
    const ivschat = new IvschatClient({
      endpoint: running.controlPlaneUrl,
      region: running.state.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const room = await ivschat.send(
      new CreateRoomCommand({
        name: 'load-test',
        maximumMessageRatePerSecond: options.ratePerSecond,
        maximumMessageLength: 500,
        messageReviewHandler: { uri: reviewUri, fallbackResult: 'ALLOW' },
        loggingConfigurationIdentifiers: lobby.loggingConfigurationIdentifiers,
      }),
    );
    ivschat.destroy();
    const roomArn = room.arn ?? '';
    roomId = room.id ?? '';
    running.state.onReview((review) => {
      if (review.roomArn === roomArn) reviews.push(review);
    });
    running.state.onRoomEvent((event) => {
      if (event.roomArn === roomArn) calls.push(emulatorCall(event));
    });
    running.state.onChatLog((record) => {
      if (record.roomArn === roomArn) published++;
    });

    progress(
      `${options.clients} clients (${options.flooders} flooding) at ${options.ratePerSecond} messages/s for ${options.durationSeconds} s…`,
    );
    const stackDelay = monitorEventLoopDelay({ resolution: 5 });
    let cpuAtStart = process.cpuUsage();
    let sendingStartedAt = 0;
    let stackLoad: ProcessLoad | undefined;
    const loadBefore = os.loadavg();
    let loadAfter = loadBefore;
    let sendingEndedAt = 0;
    const report = await runClients(
      {
        controlPlaneUrl: running.controlPlaneUrl,
        messagingUrl: running.messagingUrl,
        roomArn,
        traffic: options,
        // Generous: on a machine short of CPU an answer can take seconds, and waiting ends when the last arrives.
        settleTimeoutMs: options.settleTimeoutMs ?? 30_000,
      },
      () => {
        sendingStartedAt = Date.now();
        cpuAtStart = process.cpuUsage();
        stackDelay.enable();
      },
      () => {
        stackDelay.disable();
        sendingEndedAt = Date.now();
        stackLoad = processLoad(process.cpuUsage(cpuAtStart), sendingEndedAt - sendingStartedAt, stackDelay);
        loadAfter = os.loadavg();
      },
    );
    const sendingMs = report.sendingEndedAtMs - report.startedAtMs;
    progress('draining the chat logs…');
    await drain(running, tap, () => published);
    const drainSeconds = (Date.now() - sendingEndedAt) / 1_000;

    const logged = await readLoggedRecords(
      logStreamFile(
        path.join(dataDirectory, 'cloudwatch-logs'),
        logGroupOf(running, lobby),
        logStreamName(roomId),
      ),
      errors,
    );
    const sanctioned = await sanctionedUsers(running, roomArn);
    const functionErrors = logs.entries.filter((entry) => entry.level === 'ERROR');
    const observations = {
      sent: report.sent,
      reviews,
      logged,
      deliveries: tap.deliveries,
      plans: consumerPlans(logs.entries),
      calls,
      sanctionedUsers: sanctioned,
      warningEventName: policy.warningEventName,
      errors: [
        ...errors,
        ...tap.errors,
        ...report.errors,
        ...functionErrors.map((entry) => `${String(entry.function_name)}: ${String(entry.message)}`),
      ],
    };
    return {
      startedAt,
      options,
      chatterRatePerSecond: traffic.chatterRatePerSecond,
      flooderRatePerSecond: traffic.flooderRatePerSecond,
      flood: policy.flood,
      sendingSeconds: sendingMs / 1_000,
      drainSeconds,
      stack: stackLoad ?? processLoad(process.cpuUsage(cpuAtStart), sendingMs, stackDelay),
      clients: {
        cpuShare: report.cpuMs / sendingMs,
        eventLoopDelay: report.eventLoopDelay,
        serverDisconnects: report.serverDisconnects,
        reconnects: report.reconnects,
        framesReceived: report.framesReceived,
      },
      loadAverage: { before: loadBefore, after: loadAfter },
      functionWarnings: countEntries(logs.entries, ['WARN', 'ERROR']),
      summary: summarizeLoad(observations, REVIEW_TIMEOUT_MS),
      checks: checkLoad(observations),
    };
  } finally {
    await stack
      ?.stop()
      .catch((error: unknown) => progress(`the stack did not stop cleanly: ${String(error)}`));
    logs.stop();
    restoreEnvironment();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}
