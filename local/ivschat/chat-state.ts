import { randomBytes } from 'node:crypto';

/**
 * The IVS Chat emulator's in-memory model: rooms, logging configurations,
 * chat tokens and tags, as the control plane (control-plane.ts) and the
 * messaging WebSocket (messaging.ts) both see them, plus two fan-outs:
 * room events (what the control plane's DeleteMessage, DisconnectUser and
 * SendEvent send to connected clients) and chat log records (what a room's
 * logging configurations deliver; see chat-logging.ts).
 */

export const FALLBACK_RESULTS = ['ALLOW', 'DENY'] as const;
export type FallbackResult = (typeof FALLBACK_RESULTS)[number];

export const CAPABILITIES = ['SEND_MESSAGE', 'DISCONNECT_USER', 'DELETE_MESSAGE'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type Tags = Record<string, string>;

export interface MessageReviewHandler {
  /** A Lambda function ARN; the emulator resolves it to an in-process handler (see ReviewHandlerRegistry). */
  readonly uri?: string;
  readonly fallbackResult: FallbackResult;
}

export interface Room {
  readonly arn: string;
  readonly id: string;
  name?: string;
  readonly createTime: Date;
  updateTime: Date;
  maximumMessageLength: number;
  maximumMessageRatePerSecond: number;
  messageReviewHandler?: MessageReviewHandler;
  loggingConfigurationIdentifiers: string[];
  tags: Tags;
}

export type LoggingDestination =
  | { readonly s3: { readonly bucketName: string } }
  | { readonly cloudWatchLogs: { readonly logGroupName: string } }
  | { readonly firehose: { readonly deliveryStreamName: string } };

export interface LoggingConfiguration {
  readonly arn: string;
  readonly id: string;
  name?: string;
  readonly createTime: Date;
  updateTime: Date;
  destinationConfiguration: LoggingDestination;
  state:
    | 'ACTIVE'
    | 'CREATING'
    | 'UPDATING'
    | 'DELETING'
    | 'CREATE_FAILED'
    | 'UPDATE_FAILED'
    | 'DELETE_FAILED';
  tags: Tags;
}

export interface ChatToken {
  readonly token: string;
  readonly roomArn: string;
  readonly userId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly capabilities: readonly Capability[];
  readonly sessionDurationInMinutes: number;
  /** A token not used by then is refused (IVS: 1 hour after creation, fixed). */
  readonly tokenExpirationTime: Date;
  /** Single use: set when a connection accepts it. */
  usedAt?: Date;
}

/** Sent to every connection of a room: an EVENT frame, or a disconnection of all of a user's connections. */
export type RoomEvent =
  | {
      readonly kind: 'event';
      readonly roomArn: string;
      readonly id: string;
      readonly eventName: string;
      readonly attributes: Readonly<Record<string, string>>;
      readonly sendTime: Date;
    }
  | {
      readonly kind: 'disconnect';
      readonly roomArn: string;
      readonly userId: string;
      readonly reason: string;
    };

/** One chat log record, in IVS's format (see ../shared/reference/ivschat-contracts.md §2.2). */
export interface ChatLogRecord {
  readonly roomArn: string;
  readonly record: Readonly<Record<string, unknown>>;
}

/**
 * One call of a room's message review handler as IVS made it, timed from the call to the verdict as IVS waits
 * for it: what a load test reads review latency from. `requestId` is the client's, which IVS never passes to
 * the handler; the emulator knows it.
 */
export interface ReviewRecord {
  readonly roomArn: string;
  readonly messageId: string;
  readonly requestId: string;
  readonly userId: string;
  /** When the call started (epoch milliseconds) and how long IVS waited for the verdict. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  readonly result: 'ALLOW' | 'DENY';
  /** Why the room's fallbackResult applied (timed out, failed, no function, invalid reply); absent when the handler decided. */
  readonly fallbackCause?: string;
}

export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export class ChatState {
  readonly rooms = new Map<string, Room>();
  readonly loggingConfigurations = new Map<string, LoggingConfiguration>();
  readonly tokens = new Map<string, ChatToken>();
  private readonly roomListeners = new Set<(event: RoomEvent) => void>();
  private readonly logListeners = new Set<(record: ChatLogRecord) => void>();
  private readonly reviewListeners = new Set<(record: ReviewRecord) => void>();

  constructor(
    readonly accountId = '123456789012',
    readonly region = 'us-east-1',
    /** Injected so tests can move time (token expiry, sessions, rate windows). */
    readonly now: () => Date = () => new Date(),
  ) {}

  /** A 12-character id like IVS's (`g1H2I3j4k5L6`). */
  newId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from(randomBytes(12), (byte) => alphabet[byte % alphabet.length]).join('');
  }

  arn(resource: 'room' | 'logging-configuration', id: string): string {
    return `arn:aws:ivschat:${this.region}:${this.accountId}:${resource}/${id}`;
  }

  /** Adds a room with IVS's defaults (or `fields`) under a given id: for fixtures whose events name the room. */
  putRoom(id: string, fields: Partial<Omit<Room, 'arn' | 'id'>> = {}): Room {
    const now = this.now();
    const room: Room = {
      arn: this.arn('room', id),
      id,
      createTime: now,
      updateTime: now,
      maximumMessageLength: 500,
      maximumMessageRatePerSecond: 10,
      loggingConfigurationIdentifiers: [],
      tags: {},
      ...fields,
    };
    this.rooms.set(room.arn, room);
    return room;
  }

  /** A room by ARN or by id (the API takes either for `identifier`/`roomIdentifier`). */
  findRoom(identifier: string): Room | undefined {
    return this.rooms.get(identifier) ?? this.rooms.get(this.arn('room', identifier));
  }

  findLoggingConfiguration(identifier: string): LoggingConfiguration | undefined {
    return (
      this.loggingConfigurations.get(identifier) ??
      this.loggingConfigurations.get(this.arn('logging-configuration', identifier))
    );
  }

  /** Tags of a room or logging configuration by ARN. */
  taggable(arn: string): { tags: Tags } | undefined {
    return this.rooms.get(arn) ?? this.loggingConfigurations.get(arn);
  }

  issueToken(fields: Omit<ChatToken, 'token' | 'tokenExpirationTime' | 'usedAt'>): ChatToken {
    const token: ChatToken = {
      ...fields,
      token: randomBytes(48).toString('base64url'),
      tokenExpirationTime: new Date(this.now().getTime() + TOKEN_LIFETIME_MS),
    };
    this.tokens.set(token.token, token);
    return token;
  }

  onRoomEvent(listener: (event: RoomEvent) => void): () => void {
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }

  publishRoomEvent(event: RoomEvent): void {
    for (const listener of this.roomListeners) listener(event);
  }

  onChatLog(listener: (record: ChatLogRecord) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  publishChatLog(record: ChatLogRecord): void {
    for (const listener of this.logListeners) listener(record);
  }

  onReview(listener: (record: ReviewRecord) => void): () => void {
    this.reviewListeners.add(listener);
    return () => this.reviewListeners.delete(listener);
  }

  publishReview(record: ReviewRecord): void {
    for (const listener of this.reviewListeners) listener(record);
  }
}

/** A listening emulator server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4566 or ws://127.0.0.1:4567. */
  readonly url: string;
  close(): Promise<void>;
}
