import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isRecord } from '../shared/guards.js';
import type { ChatState, FallbackResult, LoggingDestination, Room } from './ivschat/chat-state.js';

/**
 * config/local-rooms.yaml: the rooms the local stack creates at start. Read strictly (unknown keys and
 * out-of-range values are errors naming the file and the path) because a typo here would otherwise
 * show up as a room that silently does not review or log.
 */

export interface LocalLoggingConfiguration {
  readonly name: string;
  readonly destinationConfiguration: LoggingDestination;
}

export interface LocalRoom {
  readonly name: string;
  readonly maximumMessageLength: number;
  readonly maximumMessageRatePerSecond: number;
  readonly messageReviewHandler?: { readonly function: string; readonly fallbackResult: FallbackResult };
  readonly loggingConfigurations: readonly string[];
}

export interface LocalRoomsConfig {
  readonly loggingConfigurations: readonly LocalLoggingConfiguration[];
  readonly rooms: readonly LocalRoom[];
}

export class LocalRoomsError extends Error {
  override readonly name = 'LocalRoomsError';
}

class Reader {
  constructor(private readonly file: string) {}

  fail(at: string, problem: string): never {
    throw new LocalRoomsError(`${this.file}: ${at}: ${problem}`);
  }

  object(value: unknown, at: string, keys: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(at, 'expected a mapping');
    const unknownKey = Object.keys(value).find((key) => !keys.includes(key));
    if (unknownKey !== undefined)
      this.fail(`${at}.${unknownKey}`, `unknown key (expected ${keys.join(', ')})`);
    return value;
  }

  list(value: unknown, at: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(at, 'expected a list');
    return value;
  }

  name(value: unknown, at: string, pattern: RegExp): string {
    if (typeof value !== 'string' || !pattern.test(value))
      this.fail(at, `expected a string matching ${pattern}`);
    return value;
  }

  integer(value: unknown, at: string, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      this.fail(at, `expected a whole number from ${min} to ${max}`);
    return value;
  }
}

const RESOURCE_NAME = /^[a-zA-Z0-9-_]{1,128}$/;

function readDestination(reader: Reader, value: unknown, at: string): LoggingDestination {
  const destination = reader.object(value, at, ['cloudWatchLogs', 'firehose', 's3']);
  const kinds = Object.keys(destination);
  if (kinds.length !== 1) reader.fail(at, 'expected exactly one of cloudWatchLogs, firehose, s3');
  if (destination.cloudWatchLogs !== undefined) {
    const cwl = reader.object(destination.cloudWatchLogs, `${at}.cloudWatchLogs`, ['logGroupName']);
    const logGroupName = reader.name(
      cwl.logGroupName,
      `${at}.cloudWatchLogs.logGroupName`,
      /^[.\-_/#A-Za-z0-9]{1,512}$/,
    );
    return { cloudWatchLogs: { logGroupName } };
  }
  if (destination.firehose !== undefined) {
    const firehose = reader.object(destination.firehose, `${at}.firehose`, ['deliveryStreamName']);
    const name = reader.name(
      firehose.deliveryStreamName,
      `${at}.firehose.deliveryStreamName`,
      /^[a-zA-Z0-9_.-]{1,64}$/,
    );
    return { firehose: { deliveryStreamName: name } };
  }
  const s3 = reader.object(destination.s3, `${at}.s3`, ['bucketName']);
  return { s3: { bucketName: reader.name(s3.bucketName, `${at}.s3.bucketName`, /^[a-z0-9-.]{3,63}$/) } };
}

function readRoom(
  reader: Reader,
  value: unknown,
  at: string,
  configurations: ReadonlySet<string>,
): LocalRoom {
  const room = reader.object(value, at, [
    'name',
    'maximumMessageLength',
    'maximumMessageRatePerSecond',
    'messageReviewHandler',
    'loggingConfigurations',
  ]);
  const logging = reader
    .list(room.loggingConfigurations, `${at}.loggingConfigurations`)
    .map((name, index) => {
      const where = `${at}.loggingConfigurations[${index}]`;
      const configuration = reader.name(name, where, RESOURCE_NAME);
      if (!configurations.has(configuration))
        reader.fail(where, `no logging configuration is named "${configuration}"`);
      return configuration;
    });
  if (logging.length > 3) reader.fail(`${at}.loggingConfigurations`, 'a room takes at most 3');
  let messageReviewHandler: LocalRoom['messageReviewHandler'];
  if (room.messageReviewHandler !== undefined) {
    const handlerAt = `${at}.messageReviewHandler`;
    const handler = reader.object(room.messageReviewHandler, handlerAt, ['function', 'fallbackResult']);
    const fallbackResult = handler.fallbackResult ?? 'ALLOW';
    if (fallbackResult !== 'ALLOW' && fallbackResult !== 'DENY')
      reader.fail(`${handlerAt}.fallbackResult`, 'expected ALLOW or DENY');
    messageReviewHandler = {
      function: reader.name(handler.function, `${handlerAt}.function`, /^[a-zA-Z0-9-_]+$/),
      fallbackResult,
    };
  }
  return {
    name: reader.name(room.name, `${at}.name`, RESOURCE_NAME),
    maximumMessageLength: reader.integer(
      room.maximumMessageLength,
      `${at}.maximumMessageLength`,
      1,
      500,
      500,
    ),
    maximumMessageRatePerSecond: reader.integer(
      room.maximumMessageRatePerSecond,
      `${at}.maximumMessageRatePerSecond`,
      1,
      100,
      10,
    ),
    ...(messageReviewHandler && { messageReviewHandler }),
    loggingConfigurations: logging,
  };
}

export function readLocalRooms(text: string, file: string): LocalRoomsConfig {
  const reader = new Reader(file);
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    reader.fail('(document)', error instanceof Error ? error.message : String(error));
  }
  const root = reader.object(document ?? {}, '(root)', ['loggingConfigurations', 'rooms']);
  const loggingConfigurations = reader
    .list(root.loggingConfigurations, 'loggingConfigurations')
    .map((value, index) => {
      const at = `loggingConfigurations[${index}]`;
      const configuration = reader.object(value, at, ['name', 'destinationConfiguration']);
      return {
        name: reader.name(configuration.name, `${at}.name`, RESOURCE_NAME),
        destinationConfiguration: readDestination(
          reader,
          configuration.destinationConfiguration,
          `${at}.destinationConfiguration`,
        ),
      };
    });
  const names = new Set(loggingConfigurations.map(({ name }) => name));
  if (names.size !== loggingConfigurations.length)
    reader.fail('loggingConfigurations', 'names must be unique');
  const rooms = reader
    .list(root.rooms, 'rooms')
    .map((value, index) => readRoom(reader, value, `rooms[${index}]`, names));
  if (new Set(rooms.map(({ name }) => name)).size !== rooms.length)
    reader.fail('rooms', 'names must be unique');
  return { loggingConfigurations, rooms };
}

export function loadLocalRooms(file: string): LocalRoomsConfig {
  return readLocalRooms(readFileSync(file, 'utf8'), file);
}

/**
 * Creates the configured logging configurations and rooms in the emulator's state, as CreateLoggingConfiguration
 * and CreateRoom would, and returns the rooms by name. `functionArn` maps a function key to the ARN the
 * messaging server resolves to a handler.
 */
export function createLocalRooms(
  state: ChatState,
  config: LocalRoomsConfig,
  functionArn: (functionKey: string) => string,
  /** Tags every logging configuration gets: the stage's owner tag, so the reconciler manages them as its own. */
  loggingConfigurationTags: Readonly<Record<string, string>> = {},
): Map<string, Room> {
  const now = state.now();
  const configurationArns = new Map<string, string>();
  for (const { name, destinationConfiguration } of config.loggingConfigurations) {
    const id = state.newId();
    const arn = state.arn('logging-configuration', id);
    state.loggingConfigurations.set(arn, {
      arn,
      id,
      name,
      createTime: now,
      updateTime: now,
      destinationConfiguration,
      state: 'ACTIVE',
      tags: { ...loggingConfigurationTags },
    });
    configurationArns.set(name, arn);
  }
  const rooms = new Map<string, Room>();
  for (const {
    name,
    maximumMessageLength,
    maximumMessageRatePerSecond,
    messageReviewHandler,
    loggingConfigurations,
  } of config.rooms) {
    const id = state.newId();
    const room: Room = {
      arn: state.arn('room', id),
      id,
      name,
      createTime: now,
      updateTime: now,
      maximumMessageLength,
      maximumMessageRatePerSecond,
      ...(messageReviewHandler && {
        messageReviewHandler: {
          uri: functionArn(messageReviewHandler.function),
          fallbackResult: messageReviewHandler.fallbackResult,
        },
      }),
      loggingConfigurationIdentifiers: loggingConfigurations.flatMap((configuration) => {
        const arn = configurationArns.get(configuration);
        return arn === undefined ? [] : [arn];
      }),
      tags: {},
    };
    state.rooms.set(room.arn, room);
    rooms.set(name, room);
  }
  return rooms;
}
