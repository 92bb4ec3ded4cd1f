import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModeratorSettings } from '../config/env.js';
import type { PacedOperation } from '../enforcement/execute-actions.js';
import { executeActions } from '../enforcement/execute-actions.js';
import { Pacer, SYSTEM_CLOCK } from '../enforcement/pacer.js';
import { createIvsChatActions } from '../ivs/ivs-chat-client.js';
import type { ModeratorActionDeps } from '../moderation/run-moderator-action.js';
import { createDynamoDbAuditLog } from '../store/dynamodb-audit-log.js';
import { createDynamoDbEnforcementStore } from '../store/dynamodb-enforcement-store.js';
import type { HeldMessages } from '../store/dynamodb-held-messages.js';
import { createDynamoDbHeldMessages } from '../store/dynamodb-held-messages.js';
import type { IdempotentOnce } from '../store/idempotent-once.js';
import { createIdempotentOnce } from '../store/idempotent-once.js';

/** A moderator acts a few times a minute: a small share of IVS's 100/s, leaving the rest to the consumers. */
const MODERATOR_RATE_PER_SECOND = 10;

/**
 * The moderator API's adapters (also the CLI's): sanctions and strikes in the enforcement table, the audit
 * log, IVS Chat, and idempotency, so a retried request acts and is audited once.
 */
export function createModeratorDeps(settings: ModeratorSettings): {
  readonly deps: ModeratorActionDeps;
  readonly store: ReturnType<typeof createDynamoDbEnforcementStore>;
  readonly held: HeldMessages;
  readonly once: IdempotentOnce;
} {
  const dynamoDbClient = new DynamoDBClient({
    region: settings.region,
    ...(settings.dynamoDbEndpoint === undefined ? {} : { endpoint: settings.dynamoDbEndpoint }),
  });
  const documents = DynamoDBDocumentClient.from(dynamoDbClient);
  const store = createDynamoDbEnforcementStore({ client: documents, tableName: settings.enforcementTable });
  const audit = createDynamoDbAuditLog({ client: documents, tableName: settings.enforcementTable });
  const held = createDynamoDbHeldMessages({ client: documents, tableName: settings.enforcementTable });
  const ivs = createIvsChatActions({ region: settings.region, endpoint: settings.ivsChatEndpoint });
  const rate = MODERATOR_RATE_PER_SECOND;
  const pacer = new Pacer<PacedOperation>({ DeleteMessage: rate, SendEvent: rate, DisconnectUser: rate });
  // A week: a moderator's retry (or a client's) comes within seconds; a week covers any sane replay.
  const once = createIdempotentOnce({
    tableName: settings.idempotencyTable,
    client: dynamoDbClient,
    expiresAfterSeconds: 7 * 86_400,
  });
  return {
    store,
    held,
    once,
    deps: {
      audit,
      releaseHeld: (roomArn, messageId) => held.remove(roomArn, messageId),
      now: Date.now,
      execute: (actions) =>
        executeActions(actions, {
          ports: {
            ...ivs,
            putSanction: (roomArn, userId, sanction) => store.putSanction(roomArn, userId, sanction),
            liftSanction: (roomArn, userId) => store.liftSanction(roomArn, userId),
          },
          once,
          pacer,
          clock: SYSTEM_CLOCK,
          random: Math.random,
        }),
    },
  };
}
