import type { ChatState, LoggingConfiguration, MessageReviewHandler, Room } from '../chat-state';
import { FALLBACK_RESULTS } from '../chat-state';
import { conflict, notFound } from './errors';
import type { FieldReader, MapRule, StringRule } from './fields';

/** The service model's shapes (IVS Chat contracts §4.2) and the wire forms of rooms and logging configurations. */

const ROOM_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/;
const LOGGING_CONFIGURATION_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration\/[a-zA-Z0-9-]+$/;

export const ROOM_IDENTIFIER: StringRule = { min: 1, max: 128, pattern: ROOM_ARN };
export const LOGGING_CONFIGURATION_IDENTIFIER: StringRule = {
  min: 1,
  max: 128,
  pattern: LOGGING_CONFIGURATION_ARN,
};

/**
 * The model's ResourceArn pattern has `[a-z-]/`, one character before the slash, which no real room ARN
 * matches (contracts §0.8); this is the evident intent: any ivschat resource type.
 */
export const RESOURCE_ARN: StringRule = {
  min: 1,
  max: 128,
  pattern: /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]+\/[a-zA-Z0-9-]+$/,
};

export const RESOURCE_NAME: StringRule = { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ };
export const LAMBDA_ARN: StringRule = {
  max: 170,
  pattern: /^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+/,
};
export const TAGS: MapRule = { maxEntries: 50, key: { min: 1, max: 128 }, value: { max: 256 } };
export const TAG_KEY: StringRule = { min: 1, max: 128 };
export const MAX_TAGS = 50;
export const MAX_LOGGING_CONFIGURATIONS_PER_ROOM = 3;

export function readMessageReviewHandler(reader: FieldReader): MessageReviewHandler | undefined {
  const handler = reader.object('messageReviewHandler');
  if (handler === undefined) return undefined;
  const uri = handler.string('uri', LAMBDA_ARN);
  const fallbackResult = handler.oneOf('fallbackResult', FALLBACK_RESULTS) ?? 'ALLOW';
  // An empty uri disassociates the handler (UpdateRoom); the fallback is kept as given.
  return uri ? { uri, fallbackResult } : { fallbackResult };
}

export function requireRoom(state: ChatState, arn: string): Room {
  const room = state.rooms.get(arn);
  if (room === undefined) throw notFound('ROOM', arn);
  return room;
}

export function requireLoggingConfiguration(state: ChatState, arn: string): LoggingConfiguration {
  const configuration = state.loggingConfigurations.get(arn);
  if (configuration === undefined) throw notFound('LOGGING_CONFIGURATION', arn);
  return configuration;
}

/** A logging configuration in a transition (CREATING, UPDATING, …) cannot be changed or used: ConflictException. */
export function requireSettledLoggingConfiguration(state: ChatState, arn: string): LoggingConfiguration {
  const configuration = requireLoggingConfiguration(state, arn);
  if (configuration.state !== 'ACTIVE') {
    throw conflict('LOGGING_CONFIGURATION', arn, `Logging configuration ${arn} is ${configuration.state}`);
  }
  return configuration;
}

export function roomSummary(room: Room): Record<string, unknown> {
  return {
    arn: room.arn,
    id: room.id,
    name: room.name,
    messageReviewHandler: room.messageReviewHandler,
    createTime: room.createTime.toISOString(),
    updateTime: room.updateTime.toISOString(),
    tags: room.tags,
    loggingConfigurationIdentifiers: room.loggingConfigurationIdentifiers,
  };
}

export function roomDetail(room: Room): Record<string, unknown> {
  return {
    ...roomSummary(room),
    maximumMessageRatePerSecond: room.maximumMessageRatePerSecond,
    maximumMessageLength: room.maximumMessageLength,
  };
}

export function loggingConfigurationDetail(configuration: LoggingConfiguration): Record<string, unknown> {
  return {
    arn: configuration.arn,
    id: configuration.id,
    name: configuration.name,
    createTime: configuration.createTime.toISOString(),
    updateTime: configuration.updateTime.toISOString(),
    destinationConfiguration: configuration.destinationConfiguration,
    state: configuration.state,
    tags: configuration.tags,
  };
}
