import {
  DeleteMessageCommand,
  DisconnectUserCommand,
  IvschatClient,
  IvschatServiceException,
  SendEventCommand,
} from '@aws-sdk/client-ivschat';
import type { ActionPorts } from '../enforcement/execute-actions.js';

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
}

export type IvsChatActions = Pick<ActionPorts, 'deleteMessage' | 'sendEvent' | 'disconnectUser' | 'classify'>;

export function createIvsChatActions(options: IvsChatClientOptions): IvsChatActions {
  const client = new IvschatClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
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
  // Not a service answer at all: the connection failed or timed out.
  return 'transient';
}
