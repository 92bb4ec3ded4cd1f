import type { ChatState, Room } from '../chat-state';
import { FieldReader } from './fields';
import { NO_CONTENT, type Operation, ok } from './operation';
import { paginate, readPageRequest } from './pagination';
import {
  LAMBDA_ARN,
  LOGGING_CONFIGURATION_IDENTIFIER,
  MAX_LOGGING_CONFIGURATIONS_PER_ROOM,
  RESOURCE_NAME,
  ROOM_IDENTIFIER,
  readMessageReviewHandler,
  requireLoggingConfiguration,
  requireRoom,
  requireSettledLoggingConfiguration,
  roomDetail,
  roomSummary,
  TAGS,
} from './shapes';

/** CreateRoom, GetRoom, UpdateRoom, DeleteRoom, ListRooms. */

const DEFAULT_MAXIMUM_MESSAGE_LENGTH = 500;
const DEFAULT_MAXIMUM_MESSAGE_RATE_PER_SECOND = 10;

/** The members CreateRoom and UpdateRoom share; each is undefined when the request leaves it out. */
function readRoomSettings(state: ChatState, reader: FieldReader) {
  const settings = {
    name: reader.string('name', RESOURCE_NAME),
    maximumMessageRatePerSecond: reader.integer('maximumMessageRatePerSecond', { min: 1, max: 100 }),
    maximumMessageLength: reader.integer('maximumMessageLength', { min: 1, max: 500 }),
    messageReviewHandler: readMessageReviewHandler(reader),
    loggingConfigurationIdentifiers: reader.stringList('loggingConfigurationIdentifiers', {
      maxItems: MAX_LOGGING_CONFIGURATIONS_PER_ROOM,
      item: LOGGING_CONFIGURATION_IDENTIFIER,
    }),
  };
  return {
    ...settings,
    /** Resolves the logging configurations; call after the reader's check(). */
    checkReferences(): void {
      for (const arn of settings.loggingConfigurationIdentifiers ?? [])
        requireSettledLoggingConfiguration(state, arn);
    },
  };
}

export const createRoom: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const settings = readRoomSettings(state, reader);
  const tags = reader.stringMap('tags', TAGS);
  reader.check();
  settings.checkReferences();

  const id = state.newId();
  const now = state.now();
  const room: Room = {
    arn: state.arn('room', id),
    id,
    ...(settings.name === undefined ? {} : { name: settings.name }),
    createTime: now,
    updateTime: now,
    maximumMessageLength: settings.maximumMessageLength ?? DEFAULT_MAXIMUM_MESSAGE_LENGTH,
    maximumMessageRatePerSecond:
      settings.maximumMessageRatePerSecond ?? DEFAULT_MAXIMUM_MESSAGE_RATE_PER_SECOND,
    ...(settings.messageReviewHandler === undefined
      ? {}
      : { messageReviewHandler: settings.messageReviewHandler }),
    loggingConfigurationIdentifiers: settings.loggingConfigurationIdentifiers ?? [],
    tags: tags ?? {},
  };
  state.rooms.set(room.arn, room);
  return ok(roomDetail(room));
};

export const getRoom: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', ROOM_IDENTIFIER);
  reader.check();
  return ok(roomDetail(requireRoom(state, identifier)));
};

export const updateRoom: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', ROOM_IDENTIFIER);
  const settings = readRoomSettings(state, reader);
  reader.check();
  const room = requireRoom(state, identifier);
  settings.checkReferences();

  if (settings.name !== undefined) room.name = settings.name;
  if (settings.maximumMessageLength !== undefined) room.maximumMessageLength = settings.maximumMessageLength;
  if (settings.maximumMessageRatePerSecond !== undefined) {
    room.maximumMessageRatePerSecond = settings.maximumMessageRatePerSecond;
  }
  if (settings.messageReviewHandler !== undefined) room.messageReviewHandler = settings.messageReviewHandler;
  // The list replaces the room's whole list (contracts §2.1), so an empty list detaches every configuration.
  if (settings.loggingConfigurationIdentifiers !== undefined) {
    room.loggingConfigurationIdentifiers = settings.loggingConfigurationIdentifiers;
  }
  room.updateTime = state.now();
  return ok(roomDetail(room));
};

export const deleteRoom: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const identifier = reader.requiredString('identifier', ROOM_IDENTIFIER);
  reader.check();
  state.rooms.delete(requireRoom(state, identifier).arn);
  return NO_CONTENT;
};

export const listRooms: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const pageRequest = readPageRequest(reader);
  const name = reader.string('name', RESOURCE_NAME);
  const handlerUri = reader.string('messageReviewHandlerUri', LAMBDA_ARN);
  const loggingConfiguration = reader.string(
    'loggingConfigurationIdentifier',
    LOGGING_CONFIGURATION_IDENTIFIER,
  );
  reader.check();
  // A filter on a logging configuration that does not exist is the one ResourceNotFound ListRooms can give.
  if (loggingConfiguration !== undefined) requireLoggingConfiguration(state, loggingConfiguration);

  const matching = [...state.rooms.values()].filter(
    (room) =>
      (name === undefined || room.name === name) &&
      (handlerUri === undefined || (room.messageReviewHandler?.uri ?? '') === handlerUri) &&
      (loggingConfiguration === undefined ||
        room.loggingConfigurationIdentifiers.includes(loggingConfiguration)),
  );
  const { page, nextToken } = paginate(matching, pageRequest);
  return ok({ rooms: page.map(roomSummary), nextToken });
};
