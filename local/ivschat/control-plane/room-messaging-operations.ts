import { CAPABILITIES, type ChatState, type RoomEvent } from '../chat-state';
import { FieldReader } from './fields';
import { type Operation, ok } from './operation';
import { ROOM_IDENTIFIER, requireRoom } from './shapes';

/**
 * The operations that reach a room's connected clients: CreateChatToken (admits one), DeleteMessage,
 * DisconnectUser and SendEvent (room events, also written to the room's chat log as EVENT records).
 */

/** "maximum length … 1 KB total" for chat token attributes and event attributes (contracts §4.2). */
const ATTRIBUTES_MAX_BYTES = 1024;
const REASON = { min: 1, max: 256 };
const MESSAGE_ID = { min: 12, max: 12, pattern: /^[a-zA-Z0-9]+$/ };
const USER_ID = { min: 1, max: 128 };

export const DELETE_MESSAGE_EVENT = 'aws:DELETE_MESSAGE';
export const DISCONNECT_USER_EVENT = 'aws:DISCONNECT_USER';

export const createChatToken: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const roomIdentifier = reader.requiredString('roomIdentifier', ROOM_IDENTIFIER);
  const userId = reader.requiredString('userId', USER_ID);
  const capabilities = readCapabilities(reader);
  const sessionDurationInMinutes = reader.integer('sessionDurationInMinutes', { min: 1, max: 180 }) ?? 60;
  const attributes = reader.stringMap('attributes', { maxTotalBytes: ATTRIBUTES_MAX_BYTES });
  reader.check();
  const room = requireRoom(state, roomIdentifier);

  const token = state.issueToken({
    roomArn: room.arn,
    userId,
    attributes: attributes ?? {},
    capabilities,
    sessionDurationInMinutes,
  });
  const sessionExpirationTime = new Date(state.now().getTime() + sessionDurationInMinutes * 60_000);
  return ok({
    token: token.token,
    tokenExpirationTime: token.tokenExpirationTime.toISOString(),
    sessionExpirationTime: sessionExpirationTime.toISOString(),
  });
};

function readCapabilities(reader: FieldReader) {
  // The model bounds neither the list nor its repeats; 100 only caps what a request can cost.
  const names = reader.stringList('capabilities', { maxItems: 100, item: {} }) ?? [];
  const capabilities = names.flatMap((name) => CAPABILITIES.filter((capability) => capability === name));
  names.forEach((name, index) => {
    if (!CAPABILITIES.some((capability) => capability === name)) {
      reader.fail(
        `capabilities[${index}]`,
        `Member must satisfy enum value set: [${CAPABILITIES.join(', ')}]`,
      );
    }
  });
  return [...new Set(capabilities)];
}

export const deleteMessage: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const roomIdentifier = reader.requiredString('roomIdentifier', ROOM_IDENTIFIER);
  const messageId = reader.requiredString('id', MESSAGE_ID);
  const reason = reader.string('reason', REASON);
  reader.check();
  const room = requireRoom(state, roomIdentifier);

  // MessageID is deprecated, but the JS client reads only it (contracts §0.4), so both are sent.
  const attributes = {
    MessageId: messageId,
    MessageID: messageId,
    ...(reason === undefined ? {} : { Reason: reason }),
  };
  const event = sendRoomEvent(state, room.arn, DELETE_MESSAGE_EVENT, attributes);
  return ok({ id: event.id });
};

export const disconnectUser: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const roomIdentifier = reader.requiredString('roomIdentifier', ROOM_IDENTIFIER);
  const userId = reader.requiredString('userId', USER_ID);
  const reason = reader.string('reason', REASON);
  reader.check();
  const room = requireRoom(state, roomIdentifier);

  state.publishRoomEvent({ kind: 'disconnect', roomArn: room.arn, userId, reason: reason ?? '' });
  // What the WebSocket DisconnectUser answers with, logged as every messaging request is (contracts §2.1, §3.3);
  // that IVS logs this event is unverified.
  const attributes = { UserId: userId, ...(reason === undefined ? {} : { Reason: reason }) };
  logEvent(state, {
    kind: 'event',
    roomArn: room.arn,
    id: state.newId(),
    eventName: DISCONNECT_USER_EVENT,
    attributes,
    sendTime: state.now(),
  });
  return ok({});
};

export const sendEvent: Operation = (state, input) => {
  const reader = FieldReader.of(input);
  const roomIdentifier = reader.requiredString('roomIdentifier', ROOM_IDENTIFIER);
  const eventName = reader.requiredString('eventName', { min: 1, max: 100 });
  const attributes = reader.stringMap('attributes', { maxTotalBytes: ATTRIBUTES_MAX_BYTES });
  reader.check();
  const room = requireRoom(state, roomIdentifier);

  const event = sendRoomEvent(state, room.arn, eventName, attributes ?? {});
  return ok({ id: event.id });
};

function sendRoomEvent(
  state: ChatState,
  roomArn: string,
  eventName: string,
  attributes: Readonly<Record<string, string>>,
): Extract<RoomEvent, { kind: 'event' }> {
  const event: Extract<RoomEvent, { kind: 'event' }> = {
    kind: 'event',
    roomArn,
    id: state.newId(),
    eventName,
    attributes,
    sendTime: state.now(),
  };
  state.publishRoomEvent(event);
  logEvent(state, event);
  return event;
}

/** An EVENT chat log record (contracts §2.2): the payload is the EVENT frame clients receive. */
function logEvent(state: ChatState, event: Extract<RoomEvent, { kind: 'event' }>): void {
  state.publishChatLog({
    roomArn: event.roomArn,
    record: {
      event_timestamp: event.sendTime.toISOString(),
      type: 'EVENT',
      version: '1.0',
      payload: {
        Type: 'EVENT',
        Id: event.id,
        RequestId: '',
        EventName: event.eventName,
        Attributes: event.attributes,
        SendTime: nanosecondTimestamp(event.sendTime),
      },
    },
  });
}

/** IVS writes SendTime with nanosecond precision (`2023-01-05T14:33:32.894089757Z`); a Date has milliseconds. */
function nanosecondTimestamp(time: Date): string {
  return time.toISOString().replace(/Z$/, '000000Z');
}
