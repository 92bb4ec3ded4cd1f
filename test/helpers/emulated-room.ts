import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { ChatState, type RoomEvent } from '../../local/ivschat/chat-state.js';
import type { FaultPlan } from '../../local/ivschat/control-plane/faults.js';
import { startControlPlane } from '../../local/ivschat/control-plane.js';
import type { Once } from '../../shared/enforcement/execute-actions.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface EmulatedRoom {
  readonly endpoint: string;
  readonly roomArn: string;
  readonly roomId: string;
  /** Every room event the control plane sent (deletions, events, disconnections), in order. */
  readonly events: RoomEvent[];
  close(): Promise<void>;
}

export interface EmulatedRoomOptions {
  /**
   * How fast the emulator's clock runs against the real one (default 1). Below 1 its quota buckets refill
   * more slowly, so a test meets 429s however slowly a loaded machine sends.
   */
  readonly clockRate?: number;
  /** Faults the control plane injects (none by default). */
  readonly faults?: FaultPlan;
}

/** The emulator's control plane, with its quotas on, and one room created through the real SDK. */
export async function startEmulatedRoom(
  name: string,
  options: EmulatedRoomOptions = {},
): Promise<EmulatedRoom> {
  const { clockRate = 1, faults } = options;
  const startedAt = Date.now();
  const state = new ChatState(
    undefined,
    undefined,
    () => new Date(startedAt + (Date.now() - startedAt) * clockRate),
  );
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  const server = await startControlPlane(state, { enforceQuotas: true, ...(faults && { faults }) });
  const client = new IvschatClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  const room = await client.send(new CreateRoomCommand({ name }));
  client.destroy();
  return {
    endpoint: server.url,
    roomArn: room.arn ?? '',
    roomId: room.id ?? '',
    events,
    close: server.close,
  };
}

/** Keys done in memory: what the idempotency table gives the functions. */
export function memoryOnce(): Once {
  const done = new Set<string>();
  return async (key, work) => {
    if (done.has(key)) return { duplicate: true };
    await work();
    done.add(key);
    return { duplicate: false };
  };
}
