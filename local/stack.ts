import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateChatTokenCommandInput } from '@aws-sdk/client-ivschat';
import { CreateChatTokenCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import dynalite from 'dynalite';
import { bundleFunction, bundleReviewFunction } from '../build/bundle-review-function.js';
import { DEFAULT_POLICY_FILE, DEFAULT_ROOMS_MANIFEST } from '../build/review-policy-plugin.js';
import { isRecord } from '../shared/guards.js';
import type { ChatTokenRequest } from '../shared/moderation/chat-token-request.js';
import { OWNER_TAG_KEY } from '../shared/rooms/validate-room-manifest.js';
import { createTable, ENFORCEMENT_TABLE } from '../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../shared/store/idempotent-once.js';
import { consumerActionRate } from './consumer-action-rate.js';
import { forwardToFunction, invokeHttpFunction } from './http-api.js';
import type { ChatLogDeliveryError, ChatLogging } from './ivschat/chat-logging.js';
import { allOf, logGroupFolder, startChatLogging, subscribedFunction } from './ivschat/chat-logging.js';
import type { Room, RunningServer } from './ivschat/chat-state.js';
import { ChatState } from './ivschat/chat-state.js';
import { startControlPlane } from './ivschat/control-plane.js';
import { startMessaging } from './ivschat/messaging.js';
import { lambdaContext } from './lambda-context.js';
import { listen } from './listen.js';
import type { LambdaHandler } from './load-function.js';
import { loadEnvironments, loadHandler } from './load-function.js';
import { createLocalRooms, loadLocalRooms } from './local-rooms.js';
import type { IssuedToken, TokenRequest } from './web-server.js';
import { RequestError, startWebServer } from './web-server.js';

/**
 * The whole local stack in one call, on 127.0.0.1 only: DynamoDB (dynalite), the IVS Chat emulator
 * (control plane and messaging WebSocket) with the project's functions wired to it as IVS would call
 * them, chat logging to local folders, and the web page. `npm start` (start.ts) and tests use it.
 */

const ROOT = path.resolve(__dirname, '..');
const HOST = '127.0.0.1';
/** serverless.yml's service; `local` plays the stage, so ARNs look like a deployed stage's. */
const SERVICE = 'ivs-chat-moderation';
const STAGE = 'local';

export interface StackOptions {
  /** First port: control plane, then messaging, web page and DynamoDB on the next ones. 0 (default) = free ports. */
  readonly port?: number;
  /** Rooms and logging configurations to create (default config/local-rooms.yaml). */
  readonly roomsFile?: string;
  /** Policy compiled into the review function (default the shipped one). */
  readonly policyFile?: string;
  /** The rooms manifest the reconciler converges to, with its named policies (default config/rooms.yaml). */
  readonly roomsManifest?: string;
  /** Run the reconciler at start and then every this many milliseconds (default: only on reconcileRooms()). */
  readonly reconcileEveryMs?: number;
  /** Where chat logs and the bundled function land (default .local/ in the repository, git-ignored). */
  readonly dataDirectory?: string;
  /** How long chat log records are batched before delivery (default 1 s; IVS takes about 10 s). */
  readonly chatLogDelayMs?: number;
  /**
   * The consumer subscribed to a CloudWatch Logs log group, if any. Records are written to the data
   * directory either way; a consumer also gets them the way Lambda would.
   */
  readonly logSubscribers?: (logGroupName: string) => LambdaHandler | undefined;
  /** A Firehose delivery stream's transformation function, if any. */
  readonly firehoseTransformations?: (deliveryStreamName: string) => LambdaHandler | undefined;
  /** Told about chat log deliveries that failed (default: printed to stderr). */
  readonly onChatLogError?: (error: ChatLogDeliveryError) => void;
  /**
   * Wraps the bundled chat log consumer where it is subscribed (not a `logSubscribers` one): the load test
   * watches the batches it gets and redelivers some, as CloudWatch Logs may.
   */
  readonly wrapChatLogConsumer?: (consumer: LambdaHandler) => LambdaHandler;
  /** The control plane enforces IVS's per-operation rate quotas, answering 429 (default off). */
  readonly enforceQuotas?: boolean;
  /**
   * The chat log consumer's execution environments, its reserved concurrency (serverless.yml: 1); each paces its
   * actions at an equal share of the 50 a second serverless.yml gives each consumer (ACTION_RATE_PER_SECOND). Default 1.
   */
  readonly chatLogConsumerConcurrency?: number;
}

export interface RunningStack {
  readonly controlPlaneUrl: string;
  readonly messagingUrl: string;
  readonly webUrl: string;
  readonly dynamodbEndpoint: string;
  readonly state: ChatState;
  /** The rooms of the rooms file, by name. */
  readonly rooms: ReadonlyMap<string, Room>;
  readonly chatLogging: ChatLogging;
  /** One run of functions/reconcile-rooms, as the schedule invokes it; resolves to its summary. */
  reconcileRooms(): Promise<unknown>;
  /** A chat token from the emulator's CreateChatToken, as an application backend would get one. */
  createChatToken(roomArn: string, request: TokenRequest): Promise<IssuedToken>;
  stop(): Promise<void>;
}

export function functionName(functionKey: string): string {
  return `${SERVICE}-${STAGE}-${functionKey}`;
}

function functionArn(state: ChatState, functionKey: string): string {
  return `arn:aws:lambda:${state.region}:${state.accountId}:function:${functionName(functionKey)}`;
}

function portAt(first: number, offset: number): number {
  return first === 0 ? 0 : first + offset;
}

/**
 * The enforcement and idempotency tables in dynalite, and the settings both functions read at load: the
 * tables, the endpoint, the region and credentials (dynalite checks no signature).
 */
async function prepareTables(dynamodbUrl: string, region: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: dynamodbUrl,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client, LOCAL_TABLES.enforcement, ENFORCEMENT_TABLE);
  await createTable(client, LOCAL_TABLES.idempotency, IDEMPOTENCY_TABLE);
  client.destroy();
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    ENFORCEMENT_TABLE: LOCAL_TABLES.enforcement,
    IDEMPOTENCY_TABLE: LOCAL_TABLES.idempotency,
    DYNAMODB_ENDPOINT: dynamodbUrl,
  });
}

/** functions/moderate-chat-logs, bundled as `sls package` bundles it, calling the emulator's control plane. */
async function startChatLogConsumer(options: {
  dataDirectory: string;
  policyFile: string;
  controlPlaneUrl: string;
  wrap: ((consumer: LambdaHandler) => LambdaHandler) | undefined;
  concurrency: number;
}): Promise<(logGroupName: string) => LambdaHandler | undefined> {
  process.env.IVSCHAT_ENDPOINT = options.controlPlaneUrl;
  process.env.ACTION_RATE_PER_SECOND = String(consumerActionRate(options.concurrency));
  const { outfile } = await bundleFunction(
    'moderate-chat-logs',
    path.join(options.dataDirectory, 'build/moderate-chat-logs/handler.js'),
    options.policyFile,
  );
  const loaded = loadEnvironments(outfile, options.concurrency);
  const consumer = options.wrap?.(loaded) ?? loaded;
  return () => consumer;
}

/** functions/reconcile-rooms, bundled as `sls package` bundles it, with the stage settings serverless.yml gives. */
async function startReconciler(options: {
  dataDirectory: string;
  policyFile: string;
  roomsManifest: string;
  controlPlaneUrl: string;
}): Promise<() => Promise<unknown>> {
  Object.assign(process.env, {
    IVSCHAT_ENDPOINT: options.controlPlaneUrl,
    REVIEW_FUNCTION_NAME: functionName('reviewMessage'),
    CHAT_LOG_GROUP: LOCAL_CHAT_LOG_GROUP,
    RECONCILE_OWNER: LOCAL_OWNER,
  });
  const { outfile } = await bundleFunction(
    'reconcile-rooms',
    path.join(options.dataDirectory, 'build/reconcile-rooms/handler.js'),
    options.policyFile,
    options.roomsManifest,
  );
  const reconcile = loadHandler(outfile);
  return () => reconcile({}, lambdaContext(functionName('reconcileRooms'), 900_000));
}

/** The log group config/local-rooms.yaml's logging configuration names: the local stage's chat log group. */
export const LOCAL_CHAT_LOG_GROUP = '/ivs-chat-moderation/local/chat';
/** The owner tag value of what the local stage creates (a deployed stage's is `<service>-<stage>`). */
export const LOCAL_OWNER = `${SERVICE}-${STAGE}`;

/** serverless.yml's timeout for moderateChatLogs: the deadline its Lambda context gives (middy stops it there). */
export const CHAT_LOG_CONSUMER_TIMEOUT_MS = 60_000;

/** The local stack's table names (a deployed stage's come from serverless.yml). */
export const LOCAL_TABLES = { enforcement: 'enforcement', idempotency: 'idempotency' } as const;

async function startDynamoDb(port: number): Promise<RunningServer> {
  return listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }), port, HOST, 'http');
}

function tokenCommandInput(roomArn: string, request: TokenRequest): CreateChatTokenCommandInput {
  const { roomArn: roomIdentifier, ...rest } = chatTokenInput(roomArn, request);
  return { roomIdentifier, ...rest, capabilities: [...rest.capabilities] };
}

/** Capabilities by role: a moderator may delete messages and disconnect users, as the backend would grant. */
function chatTokenInput(roomArn: string, { userId, role }: TokenRequest): ChatTokenRequest {
  return {
    roomArn,
    userId,
    attributes: { role },
    capabilities:
      role === 'moderator' ? ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'] : ['SEND_MESSAGE'],
    sessionDurationInMinutes: 60,
  };
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const firstPort = options.port ?? 0;
  if (!Number.isInteger(firstPort) || firstPort < 0 || firstPort > 65_532)
    throw new RangeError(`port must be a whole number from 0 to 65532, got ${firstPort}`);
  const dataDirectory = options.dataDirectory ?? path.join(ROOT, '.local');
  const state = new ChatState();
  const reviewArn = functionArn(state, 'reviewMessage');
  const rooms = createLocalRooms(
    state,
    loadLocalRooms(options.roomsFile ?? path.join(ROOT, 'config/local-rooms.yaml')),
    (key) => functionArn(state, key),
    { [OWNER_TAG_KEY]: LOCAL_OWNER },
  );

  // Started in order so that a failure stops what already runs; stopped in reverse.
  const running: { close(): Promise<void> }[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const part of running.reverse()) await part.close().catch((error: unknown) => errors.push(error));
    running.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not stop cleanly');
  };
  try {
    // DynamoDB first: the functions read their tables' names and endpoint when they load, as at a cold start.
    const dynamodb = await startDynamoDb(portAt(firstPort, 3));
    running.push(dynamodb);
    await prepareTables(dynamodb.url, state.region);
    // Bundled exactly as `sls package` bundles it, so the stack runs what Lambda would run.
    const roomsManifest = options.roomsManifest ?? DEFAULT_ROOMS_MANIFEST;
    const { outfile } = await bundleReviewFunction(
      path.join(dataDirectory, 'build/review-message/handler.js'),
      options.policyFile ?? DEFAULT_POLICY_FILE,
      roomsManifest,
    );
    const reviewMessage = loadHandler(outfile);

    const controlPlane = await startControlPlane(state, {
      port: portAt(firstPort, 0),
      host: HOST,
      enforceQuotas: options.enforceQuotas ?? false,
    });
    running.push(controlPlane);
    const messaging = await startMessaging(state, {
      port: portAt(firstPort, 1),
      host: HOST,
      reviewHandlers: (arn) => (arn === reviewArn ? reviewMessage : undefined),
    });
    running.push(messaging);

    const ivschat = new IvschatClient({
      endpoint: controlPlane.url,
      region: state.region,
      // The emulator checks no signatures; fixed credentials keep the SDK from looking for real ones.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    running.push({ close: async () => ivschat.destroy() });
    const createChatToken = async (roomArn: string, request: TokenRequest): Promise<IssuedToken> => {
      const { token, sessionExpirationTime, tokenExpirationTime } = await ivschat.send(
        new CreateChatTokenCommand(tokenCommandInput(roomArn, request)),
      );
      if (token === undefined) throw new Error('CreateChatToken returned no token');
      return {
        token,
        ...(sessionExpirationTime && { sessionExpirationTime }),
        ...(tokenExpirationTime && { tokenExpirationTime }),
      };
    };

    const lobby = rooms.values().next().value;
    if (lobby === undefined) throw new Error('the rooms file defines no room');
    process.env.IVSCHAT_ENDPOINT = controlPlane.url;
    const [tokens, moderation] = await Promise.all(
      ['issue-chat-token', 'moderator-api'].map(async (folder) => {
        const { outfile } = await bundleFunction(
          folder,
          path.join(dataDirectory, `build/${folder}/handler.js`),
          options.policyFile ?? DEFAULT_POLICY_FILE,
          roomsManifest,
        );
        return loadHandler(outfile);
      }),
    );
    if (tokens === undefined || moderation === undefined) throw new Error('the API functions did not build');
    const web = await startWebServer({
      port: portAt(firstPort, 2),
      host: HOST,
      messagingUrl: messaging.url,
      roomName: lobby.name ?? lobby.id,
      roomArn: lobby.arn,
      // Through functions/issue-chat-token, as an app's backend would: a banned user gets no token.
      issueToken: async (request) => {
        const { statusCode, body } = await invokeHttpFunction(tokens, functionName('issueChatToken'), {
          method: 'POST',
          path: '/tokens',
          body: chatTokenInput(lobby.arn, request),
        });
        if (statusCode !== 200 || !isRecord(body) || typeof body.token !== 'string') {
          const message =
            isRecord(body) && typeof body.message === 'string' ? body.message : `HTTP ${statusCode}`;
          throw new RequestError(statusCode === 200 ? 502 : statusCode, message);
        }
        return { token: body.token };
      },
      api: (apiPath) => {
        const [handler, name] =
          apiPath === '/tokens'
            ? [tokens, 'issueChatToken']
            : apiPath.startsWith('/moderation/')
              ? [moderation, 'moderatorApi']
              : [undefined, ''];
        if (handler === undefined) return undefined;
        return {
          handle: (request, response) =>
            forwardToFunction(handler, functionName(name), apiPath, request, response),
        };
      },
    });
    running.push(web);
    // The chat log consumer, wired as AWS wires it: subscribed to every room's CloudWatch Logs log group.
    const subscribers =
      options.logSubscribers ??
      (await startChatLogConsumer({
        dataDirectory,
        policyFile: options.policyFile ?? DEFAULT_POLICY_FILE,
        controlPlaneUrl: controlPlane.url,
        wrap: options.wrapChatLogConsumer,
        concurrency: options.chatLogConsumerConcurrency ?? 1,
      }));
    const chatLogging = startChatLogging(
      state,
      {
        cloudWatchLogs: allOf(
          logGroupFolder(path.join(dataDirectory, 'cloudwatch-logs')),
          async (event, decoded) => {
            // The consumer of chat logs is functions/moderate-chat-logs; its name is the stage's.
            const subscriber = subscribers?.(decoded.logGroup);
            if (subscriber !== undefined)
              await subscribedFunction(
                subscriber,
                functionName('moderateChatLogs'),
                CHAT_LOG_CONSUMER_TIMEOUT_MS,
              )(event, decoded);
          },
        ),
        firehose: {
          directory: path.join(dataDirectory, 'firehose'),
          ...(options.firehoseTransformations && { transformation: options.firehoseTransformations }),
        },
        s3: { directory: path.join(dataDirectory, 's3') },
      },
      {
        ...(options.chatLogDelayMs !== undefined && { delayMs: options.chatLogDelayMs }),
        onError: options.onChatLogError ?? ((error) => console.error(error.message)),
      },
    );
    // Closed first on stop (the list is stopped in reverse): pending records are delivered while the rest still
    // runs. A failed delivery was already reported through onError, so it does not fail stop() again.
    running.push({ close: () => chatLogging.close().catch(() => undefined) });

    const reconcileRooms = await startReconciler({
      dataDirectory,
      policyFile: options.policyFile ?? DEFAULT_POLICY_FILE,
      roomsManifest,
      controlPlaneUrl: controlPlane.url,
    });
    if (options.reconcileEveryMs !== undefined) {
      // Each run waits for the last (the schedule's reserved concurrency of 1); a failed run is reported and the
      // next one tries again, as on AWS.
      let stopped = false;
      let current: Promise<unknown> = Promise.resolve();
      const runOnce = () => {
        current = reconcileRooms().catch((error: unknown) => console.error('reconcile-rooms failed:', error));
        return current;
      };
      await runOnce();
      const timer = setInterval(() => {
        if (!stopped) void current.then(runOnce);
      }, options.reconcileEveryMs);
      running.push({
        close: async () => {
          stopped = true;
          clearInterval(timer);
          await current;
        },
      });
    }

    return {
      controlPlaneUrl: controlPlane.url,
      messagingUrl: messaging.url,
      webUrl: `${web.url}/`,
      dynamodbEndpoint: dynamodb.url,
      state,
      rooms,
      chatLogging,
      reconcileRooms,
      createChatToken,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
