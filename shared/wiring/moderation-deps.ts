import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModerationSettings } from '../config/env.js';
import type { PacedOperation } from '../enforcement/execute-actions.js';
import { executeActions } from '../enforcement/execute-actions.js';
import type { ModerationDeps } from '../enforcement/moderate-batch.js';
import { Pacer, SYSTEM_CLOCK } from '../enforcement/pacer.js';
import { createIvsChatActions } from '../ivs/ivs-chat-client.js';
import type { CompiledPolicy } from '../rules/compile-policy.js';
import type { RoomPolicies } from '../rules/room-policies.js';
import { createDynamoDbEnforcementStore } from '../store/dynamodb-enforcement-store.js';
import { createDynamoDbRoomStateStore } from '../store/dynamodb-room-state-store.js';
import type { IdempotentOnce } from '../store/idempotent-once.js';
import { createIdempotentOnce } from '../store/idempotent-once.js';

const ASSIGNMENT_TTL_MS = 60_000;

/**
 * The chat log consumers' adapters, put together once per cold start: the
 * DynamoDB store and idempotency, the IVS Chat adapter and the pacer. Both
 * consumers (CloudWatch Logs and Firehose) run the same enforcement on them.
 */
export function createModerationDeps(
  settings: ModerationSettings,
  policies: RoomPolicies,
  onUnknownPolicy: (roomArn: string, policy: string) => void = () => undefined,
): { readonly deps: ModerationDeps; readonly once: IdempotentOnce } {
  const dynamoDbClient = new DynamoDBClient({
    region: settings.region,
    ...(settings.dynamoDbEndpoint === undefined ? {} : { endpoint: settings.dynamoDbEndpoint }),
  });
  const store = createDynamoDbEnforcementStore({
    client: DynamoDBDocumentClient.from(dynamoDbClient),
    tableName: settings.enforcementTable,
  });
  const ivs = createIvsChatActions({ region: settings.region, endpoint: settings.ivsChatEndpoint });
  const rate = settings.actionRatePerSecond;
  const pacer = new Pacer<PacedOperation>({ DeleteMessage: rate, SendEvent: rate, DisconnectUser: rate });
  // A day: far longer than CloudWatch Logs or Firehose keeps retrying a batch.
  const once = createIdempotentOnce({
    tableName: settings.idempotencyTable,
    client: dynamoDbClient,
    expiresAfterSeconds: 86_400,
  });
  const roomStates = createDynamoDbRoomStateStore({
    client: DynamoDBDocumentClient.from(dynamoDbClient),
    tableName: settings.enforcementTable,
  });
  // A room's assignment changes only when the reconciler runs; read it once a minute at most.
  const assignments = new Map<string, { policy: string | undefined; readAt: number }>();
  const policyFor = async (roomArn: string): Promise<CompiledPolicy> => {
    const now = Date.now();
    let assignment = assignments.get(roomArn);
    if (assignment === undefined || now - assignment.readAt > ASSIGNMENT_TTL_MS) {
      // A failed read fails the batch, which is delivered again: enforcing a room under the wrong policy
      // could delete what its own policy allows.
      assignment = { policy: (await roomStates.get(roomArn))?.policy, readAt: now };
      assignments.set(roomArn, assignment);
    }
    const { policy, unknown } = policies.resolve(assignment.policy);
    if (unknown !== undefined) onUnknownPolicy(roomArn, unknown);
    return policy;
  };
  const deps: ModerationDeps = {
    policy: policies.defaultPolicy,
    ...(policies.hasNamedPolicies ? { policyFor } : {}),
    store,
    now: Date.now,
    execute: (actions) =>
      executeActions(actions, {
        ports: {
          ...ivs,
          putSanction: (roomArn, userId, sanction) => store.putSanction(roomArn, userId, sanction),
        },
        once,
        pacer,
        clock: SYSTEM_CLOCK,
        random: Math.random,
      }),
  };
  return { deps, once };
}
