import {
  createLoggingConfiguration,
  deleteLoggingConfiguration,
  getLoggingConfiguration,
  listLoggingConfigurations,
  updateLoggingConfiguration,
} from './logging-configuration-operations';
import type { Operation } from './operation';
import type { OperationName } from './quotas';
import { createChatToken, deleteMessage, disconnectUser, sendEvent } from './room-messaging-operations';
import { createRoom, deleteRoom, getRoom, listRooms, updateRoom } from './room-operations';
import { listTagsForResource, tagResource, untagResource } from './tag-operations';

/** The seventeen IVS Chat control-plane operations by name. */
export const OPERATIONS: Readonly<Record<OperationName, Operation>> = {
  CreateChatToken: createChatToken,
  CreateRoom: createRoom,
  GetRoom: getRoom,
  UpdateRoom: updateRoom,
  DeleteRoom: deleteRoom,
  ListRooms: listRooms,
  CreateLoggingConfiguration: createLoggingConfiguration,
  GetLoggingConfiguration: getLoggingConfiguration,
  UpdateLoggingConfiguration: updateLoggingConfiguration,
  DeleteLoggingConfiguration: deleteLoggingConfiguration,
  ListLoggingConfigurations: listLoggingConfigurations,
  DeleteMessage: deleteMessage,
  DisconnectUser: disconnectUser,
  SendEvent: sendEvent,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
