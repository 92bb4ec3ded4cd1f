import { vi } from 'vitest';
import type { RoomEvent } from '../../local/ivschat/chat-state.js';
import { ChatState } from '../../local/ivschat/chat-state.js';
import { FaultPlan } from '../../local/ivschat/control-plane/faults.js';
import { startControlPlane } from '../../local/ivschat/control-plane.js';
import { createTable, ENFORCEMENT_TABLE } from '../../shared/store/enforcement-table.js';
import { IDEMPOTENCY_TABLE } from '../../shared/store/idempotent-once.js';
import type { DynamoDbFaults } from './dynamodb-faults.js';
import { startDynamoDbFaults } from './dynamodb-faults.js';
import { stubFunctionEnvironment } from './function-environment.js';
import type { LocalDynamoDb } from './local-dynamodb.js';
import { startLocalDynamoDb } from './local-dynamodb.js';

/**
 * What the functions depend on, able to fail on demand: the emulator's control plane with a fault plan, and
 * dynalite (tables `enforcement` and `idempotency`) behind a faulty DynamoDB endpoint. The environment the
 * functions read at load points at both, as a deployed stage's points at AWS.
 */
export interface FaultyBackends {
  readonly state: ChatState;
  /** Every room event the control plane sent (deletions, events, disconnections), in order. */
  readonly events: readonly RoomEvent[];
  /** The message ids DeleteMessage removed, in order. */
  deletedIds(): string[];
  /** How many moderation warnings (`app:moderation-warning`) went to the user. */
  warningsTo(userId: string): number;
  readonly ivsFaults: FaultPlan;
  readonly controlPlaneUrl: string;
  /** dynalite itself: what was really stored, whatever the faults. */
  readonly dynamoDb: LocalDynamoDb;
  /** The endpoint the functions use. */
  readonly dynamoDbFaults: DynamoDbFaults;
  /** Clears every fault and brings DynamoDB back up (for afterEach). */
  heal(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultyBackends(
  options: { readonly enforceQuotas?: boolean } = {},
): Promise<FaultyBackends> {
  const state = new ChatState();
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  const ivsFaults = new FaultPlan();
  const dynamoDb = await startLocalDynamoDb();
  await createTable(dynamoDb.client(), 'enforcement', ENFORCEMENT_TABLE);
  await createTable(dynamoDb.client(), 'idempotency', IDEMPOTENCY_TABLE);
  const dynamoDbFaults = await startDynamoDbFaults(dynamoDb.endpoint);
  const controlPlane = await startControlPlane(state, {
    enforceQuotas: options.enforceQuotas ?? false,
    faults: ivsFaults,
  });
  stubFunctionEnvironment(dynamoDbFaults.endpoint, controlPlane.url);
  return {
    state,
    events,
    deletedIds: () =>
      events.flatMap((event) =>
        event.kind === 'event' && event.eventName === 'aws:DELETE_MESSAGE'
          ? [event.attributes.MessageId ?? '']
          : [],
      ),
    warningsTo: (userId) =>
      events.filter(
        (event) =>
          event.kind === 'event' &&
          event.eventName === 'app:moderation-warning' &&
          event.attributes.userId === userId,
      ).length,
    ivsFaults,
    controlPlaneUrl: controlPlane.url,
    dynamoDb,
    dynamoDbFaults,
    async heal() {
      ivsFaults.clear();
      dynamoDbFaults.clear();
      await dynamoDbFaults.up();
    },
    async close() {
      vi.unstubAllEnvs();
      await controlPlane.close();
      await dynamoDbFaults.close();
      await dynamoDb.close();
    },
  };
}
