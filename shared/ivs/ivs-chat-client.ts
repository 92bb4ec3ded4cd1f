import type { DestinationConfiguration } from '@aws-sdk/client-ivschat';
import {
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  DeleteLoggingConfigurationCommand,
  DeleteMessageCommand,
  DisconnectUserCommand,
  GetRoomCommand,
  IvschatClient,
  IvschatServiceException,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  SendEventCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateLoggingConfigurationCommand,
  UpdateRoomCommand,
} from '@aws-sdk/client-ivschat';
import type { ActionPorts } from '../enforcement/execute-actions.js';
import type { ChatTokenRequest } from '../moderation/chat-token-request.js';
import type { FleetPorts } from '../rooms/reconcile-fleet.js';
import type {
  LoggingDestination,
  ObservedLoggingConfiguration,
  ObservedRoom,
} from '../rooms/room-manifest.js';

/**
 * The IVS Chat adapter: the only module of the functions that imports
 * @aws-sdk/client-ivschat. The SDK's own retries are off (maxAttempts 1):
 * the executor retries with its own backoff and pacing, and two retry loops
 * stacked would multiply the calls that a throttled account makes.
 */

export interface IvsChatClientOptions {
  readonly region: string;
  /** The local emulator's control plane (IVSCHAT_ENDPOINT); AWS's endpoint when absent. */
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * How long a call may wait for IVS without a byte coming back before it is abandoned with a TimeoutError
   * (a transient failure, retried like a 5xx; IVS may still have carried it out). Without it a hung
   * connection would hold the invocation until Lambda's own timeout. Default 10 s: IVS answers in tens of
   * milliseconds, and a shorter limit would abandon calls that are only waiting for a busy event loop.
   */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

export type IvsChatActions = Pick<ActionPorts, 'deleteMessage' | 'sendEvent' | 'disconnectUser' | 'classify'>;

/** `maxAttempts` 1 where the caller paces and retries itself; the SDK's default (3) for a single call. */
function ivschatClient(options: IvsChatClientOptions, maxAttempts?: number): IvschatClient {
  return new IvschatClient({
    region: options.region,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    requestHandler: { socketTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
  });
}

export function createIvsChatActions(options: IvsChatClientOptions): IvsChatActions {
  const client = ivschatClient(options, 1);
  return {
    async deleteMessage(roomIdentifier, id, reason) {
      await client.send(new DeleteMessageCommand({ roomIdentifier, id, reason }));
    },
    async sendEvent(roomIdentifier, eventName, attributes) {
      await client.send(new SendEventCommand({ roomIdentifier, eventName, attributes: { ...attributes } }));
    },
    async disconnectUser(roomIdentifier, userId, reason) {
      await client.send(new DisconnectUserCommand({ roomIdentifier, userId, reason }));
    },
    classify: classifyIvsChatError,
  };
}

/** Throttling (429) and server errors (5xx, network failures) are worth retrying; a 4xx is not. */
export function classifyIvsChatError(error: unknown): 'throttled' | 'transient' | 'permanent' {
  if (error instanceof IvschatServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    if (error.name === 'ThrottlingException' || status === 429) return 'throttled';
    if (status >= 500 || error.$fault === 'server') return 'transient';
    return 'permanent';
  }
  // No credentials, or credentials that cannot be loaded: asking again will not find them.
  if (error instanceof Error && error.name === 'CredentialsProviderError') return 'permanent';
  // Not a service answer at all: the connection failed or timed out.
  return 'transient';
}

/** The room and logging-configuration operations the reconciler calls, mapped to its plain shapes. */
export function createIvsChatFleet(options: IvsChatClientOptions): FleetPorts {
  // The reconciler paces and retries itself, as the executor does.
  const client = ivschatClient(options, 1);
  return {
    async listRooms(nextToken) {
      const page = await client.send(new ListRoomsCommand({ maxResults: 50, nextToken }));
      return { rooms: (page.rooms ?? []).map((summary) => observedRoom(summary)), nextToken: page.nextToken };
    },
    async getRoom(roomArn) {
      return observedRoom(await client.send(new GetRoomCommand({ identifier: roomArn })));
    },
    async updateRoom(roomArn, update) {
      const room = await client.send(
        new UpdateRoomCommand({
          identifier: roomArn,
          maximumMessageLength: update.maximumMessageLength,
          maximumMessageRatePerSecond: update.maximumMessageRatePerSecond,
          ...(update.messageReviewHandler === undefined
            ? {}
            : { messageReviewHandler: { ...update.messageReviewHandler } }),
          ...(update.loggingConfigurationIdentifiers === undefined
            ? {}
            : { loggingConfigurationIdentifiers: [...update.loggingConfigurationIdentifiers] }),
        }),
      );
      return observedRoom(room);
    },
    async tagResource(resourceArn, tags) {
      await client.send(new TagResourceCommand({ resourceArn, tags: { ...tags } }));
    },
    async untagResource(resourceArn, tagKeys) {
      await client.send(new UntagResourceCommand({ resourceArn, tagKeys: [...tagKeys] }));
    },
    async listLoggingConfigurations(nextToken) {
      const page = await client.send(new ListLoggingConfigurationsCommand({ maxResults: 50, nextToken }));
      return {
        configurations: (page.loggingConfigurations ?? []).map((summary) =>
          observedLoggingConfiguration(summary),
        ),
        nextToken: page.nextToken,
      };
    },
    async createLoggingConfiguration(name, destination, tags) {
      const created = await client.send(
        new CreateLoggingConfigurationCommand({
          name,
          destinationConfiguration: sdkDestination(destination),
          tags: { ...tags },
        }),
      );
      return observedLoggingConfiguration(created);
    },
    async updateLoggingConfiguration(arn, destination) {
      await client.send(
        new UpdateLoggingConfigurationCommand({
          identifier: arn,
          destinationConfiguration: sdkDestination(destination),
        }),
      );
    },
    async deleteLoggingConfiguration(arn) {
      await client.send(new DeleteLoggingConfigurationCommand({ identifier: arn }));
    },
    classify: classifyIvsChatError,
  };
}

/** The service's answer is outside data too: a room without its identity is an error, not a guess. */
function observedRoom(room: {
  arn?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  updateTime?: Date | undefined;
  tags?: Record<string, string> | undefined;
  messageReviewHandler?: { uri?: string | undefined; fallbackResult?: string | undefined } | undefined;
  loggingConfigurationIdentifiers?: string[] | undefined;
  maximumMessageLength?: number | undefined;
  maximumMessageRatePerSecond?: number | undefined;
}): ObservedRoom {
  const { arn, id, updateTime } = room;
  if (arn === undefined || id === undefined || updateTime === undefined) {
    throw new Error(`IVS returned a room without arn, id or updateTime (${arn ?? id ?? 'unnamed'})`);
  }
  const handler = room.messageReviewHandler;
  const { maximumMessageLength, maximumMessageRatePerSecond } = room;
  return {
    arn,
    id,
    name: room.name ?? '',
    updateTime: updateTime.toISOString(),
    tags: { ...room.tags },
    ...(handler?.uri === undefined || handler.uri === ''
      ? {}
      : {
          messageReviewHandler: {
            uri: handler.uri,
            fallbackResult: handler.fallbackResult === 'DENY' ? 'DENY' : 'ALLOW',
          },
        }),
    loggingConfigurationIdentifiers: [...(room.loggingConfigurationIdentifiers ?? [])],
    ...(maximumMessageLength === undefined || maximumMessageRatePerSecond === undefined
      ? {}
      : { limits: { maximumMessageLength, maximumMessageRatePerSecond } }),
  };
}

function observedLoggingConfiguration(configuration: {
  arn?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  state?: string | undefined;
  tags?: Record<string, string> | undefined;
  destinationConfiguration?: DestinationConfiguration | undefined;
}): ObservedLoggingConfiguration {
  const { arn, id, destinationConfiguration } = configuration;
  if (arn === undefined || id === undefined || destinationConfiguration === undefined) {
    throw new Error(
      `IVS returned a logging configuration without arn, id or destination (${arn ?? 'unnamed'})`,
    );
  }
  return {
    arn,
    id,
    name: configuration.name ?? '',
    state: configuration.state ?? 'UNKNOWN',
    tags: { ...configuration.tags },
    destination: plainDestination(destinationConfiguration),
  };
}

function plainDestination(destination: DestinationConfiguration): LoggingDestination {
  if (destination.cloudWatchLogs?.logGroupName !== undefined) {
    return { cloudWatchLogs: { logGroupName: destination.cloudWatchLogs.logGroupName } };
  }
  if (destination.firehose?.deliveryStreamName !== undefined) {
    return { firehose: { deliveryStreamName: destination.firehose.deliveryStreamName } };
  }
  if (destination.s3?.bucketName !== undefined) return { s3: { bucketName: destination.s3.bucketName } };
  throw new Error('IVS returned a logging destination of no known kind');
}

function sdkDestination(destination: LoggingDestination): DestinationConfiguration {
  if ('cloudWatchLogs' in destination) return { cloudWatchLogs: { ...destination.cloudWatchLogs } };
  if ('firehose' in destination) return { firehose: { ...destination.firehose } };
  return { s3: { ...destination.s3 } };
}

export interface IssuedChatToken {
  readonly token: string;
  readonly tokenExpirationTime: string;
  readonly sessionExpirationTime: string;
}

/**
 * CreateChatToken for the token function (200 TPS; the SDK's own retries stay on: one call, no pacer). Its
 * three attempts, each abandoned after 3 s without an answer, fit in the function's 10 s.
 */
export function createChatTokenIssuer(
  options: IvsChatClientOptions,
): (request: ChatTokenRequest) => Promise<IssuedChatToken> {
  const client = ivschatClient({ idleTimeoutMs: 3_000, ...options });
  return async (request) => {
    const output = await client.send(
      new CreateChatTokenCommand({
        roomIdentifier: request.roomArn,
        userId: request.userId,
        capabilities: [...request.capabilities],
        sessionDurationInMinutes: request.sessionDurationInMinutes,
        attributes: { ...request.attributes },
      }),
    );
    const { token, tokenExpirationTime, sessionExpirationTime } = output;
    if (token === undefined || tokenExpirationTime === undefined || sessionExpirationTime === undefined) {
      throw new Error('CreateChatToken answered without a token or its expiry');
    }
    return {
      token,
      tokenExpirationTime: tokenExpirationTime.toISOString(),
      sessionExpirationTime: sessionExpirationTime.toISOString(),
    };
  };
}
