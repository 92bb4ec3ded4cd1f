import { createServer } from 'node:http';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../local/ivschat/chat-state.js';
import { listen } from '../../local/listen.js';
import type { Sanction } from '../../shared/enforcement/escalation.js';
import { isRecord, isStringMap } from '../../shared/guards.js';
import type { HeldMessage } from '../../shared/moderation/held-message.js';
import { parseHeldMessage } from '../../shared/moderation/held-message.js';
import type { KnownRoomState } from '../../shared/rooms/room-state.js';
import { createDynamoDbAuditLog } from '../../shared/store/dynamodb-audit-log.js';
import { createDynamoDbEnforcementStore } from '../../shared/store/dynamodb-enforcement-store.js';
import { createDynamoDbHeldMessages } from '../../shared/store/dynamodb-held-messages.js';
import { createTable, ENFORCEMENT_TABLE } from '../../shared/store/enforcement-table.js';
import { parseRoomState, roomStateAttributes } from '../../shared/store/room-state-item.js';
import { parseSanction } from '../../shared/store/sanction-item.js';
import type { SanctionReaderOptions } from '../../shared/store/sanction-reader.js';
import {
  createHeldMessageWriter,
  createRoomPolicyReader,
  createSanctionReader,
} from '../../shared/store/sanction-reader.js';
import {
  fuzzParameters,
  garbage,
  hostileJson,
  hostileNumber,
  hostileString,
  nearValid,
  PROTOTYPE_KEYS,
} from '../helpers/fuzz.js';
import type { LocalDynamoDb } from '../helpers/local-dynamodb.js';
import { startLocalDynamoDb } from '../helpers/local-dynamodb.js';

/**
 * Items read back from the enforcement table: whatever an item holds, it is a sanction, a room's state or a held
 * message, or a reason why not; what the writers store reads back the same through each reader.
 */

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/g1H2I3j4k5L6';
/** Text DynamoDB can store: well-formed Unicode (a lone surrogate is not valid UTF-8), keys never empty. */
const text = (min: number, max: number) => fc.string({ unit: 'binary', minLength: min, maxLength: max });
const attributes = fc.dictionary(
  text(1, 12).filter((key) => key !== '__proto__'),
  text(0, 40),
  { maxKeys: 5 },
);

const sanction: fc.Arbitrary<Sanction> = fc.oneof(
  fc.record({ kind: fc.constant('ban' as const), reason: text(1, 256) }),
  fc.record({
    kind: fc.constant('timeout' as const),
    untilMillis: fc.integer({ min: 1_800_000_000_000, max: 4_000_000_000_000 }),
    reason: text(1, 256),
  }),
);
const roomState: fc.Arbitrary<KnownRoomState> = fc.record(
  {
    policy: text(1, 64),
    limits: fc.record({
      updateTime: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      maximumMessageLength: fc.integer({ min: 1, max: 500 }),
      maximumMessageRatePerSecond: fc.integer({ min: 1, max: 100 }),
    }),
  },
  { requiredKeys: [] },
);
/**
 * Prototype keys are left to the pure tests: dynalite itself refuses a map key `__proto__` with an empty value
 * (a quirk of its own objects; what the writer sends is valid DynamoDB JSON).
 */
const held: fc.Arbitrary<HeldMessage> = fc.record({
  roomArn: fc.constant(ROOM),
  messageId: fc.stringMatching(/^[a-zA-Z0-9]{12}$/),
  userId: text(1, 128),
  content: text(1, 500),
  attributes,
  senderAttributes: attributes,
  ruleIds: fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), { maxLength: 4 }),
  reason: text(1, 256),
  heldAtMillis: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  expiresAtMillis: fc.integer({ min: 1_800_000_000_001, max: 1_900_000_000_000 }),
});

describe('fuzz: stored items', () => {
  it('reads any item as a sanction, a room state or a held message, or a reason why not', () => {
    const item = fc.oneof(
      garbage,
      nearValid(sanction),
      nearValid(roomState.map(roomStateAttributes)),
      nearValid(held),
    );
    fc.assert(
      fc.property(item, (value) => {
        const parsedSanction = parseSanction(value);
        if (typeof parsedSanction === 'string') expect(parsedSanction).toMatch(/\S/);
        else if (parsedSanction.kind === 'timeout')
          expect(Number.isFinite(parsedSanction.untilMillis)).toBe(true);
        else expect(parsedSanction.kind).toBe('ban');
        const state = parseRoomState(value);
        if (typeof state === 'string') expect(state).toMatch(/\S/);
        else if (state.limits !== undefined) expect(typeof state.limits.maximumMessageLength).toBe('number');
        const message = parseHeldMessage(value);
        if (typeof message === 'string') expect(message).toMatch(/\S/);
        else {
          expect(isStringMap(message.attributes) && isStringMap(message.senderAttributes)).toBe(true);
          for (const id of message.ruleIds) expect(typeof id).toBe('string');
        }
      }),
      fuzzParameters(70),
    );
  });

  it('reads a room state back as it was written', () => {
    fc.assert(
      fc.property(roomState, (state) => {
        expect(parseRoomState(roomStateAttributes(state))).toEqual(state);
      }),
      fuzzParameters(30),
    );
  });
});

/**
 * A JSON-like value as DynamoDB and the SDK can hold it: well-formed text, numbers within ±2^53, nesting within
 * DynamoDB's 32 levels. What is out of their reach is not a stored item's problem.
 */
function storable(value: unknown, depth = 0): unknown {
  if (depth > 20) return 'deep';
  if (typeof value === 'string') return Buffer.from(value).toString();
  // The SDK writes no number past 2^53 as a plain number (and reads one back as a bigint).
  if (typeof value === 'number') return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : 0;
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storable(key), storable(item, depth + 1)]),
    );
  return value;
}

describe('fuzz: stored items through DynamoDB (dynalite)', () => {
  let dynamodb: LocalDynamoDb;
  let options: SanctionReaderOptions;
  let documents: DynamoDBDocumentClient;
  const tableName = 'enforcement-fuzz';

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await createTable(dynamodb.client(), tableName, ENFORCEMENT_TABLE);
    documents = DynamoDBDocumentClient.from(dynamodb.client(), {
      // A map with a key named constructor is no plain object to the marshaller: written as a map all the same.
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    });
    options = {
      tableName,
      region: 'us-east-1',
      endpoint: dynamodb.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  });
  afterAll(() => dynamodb.close());

  it('reads a sanction the store wrote back the same through the review function’s reader', async () => {
    const store = createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(dynamodb.client()),
      tableName,
      now: () => 1_700_000_000_000,
    });
    const read = createSanctionReader(options);
    await fc.assert(
      fc.asyncProperty(text(1, 128), sanction, async (userId, written) => {
        await store.liftSanction(ROOM, userId);
        await store.putSanction(ROOM, userId, written);
        expect(await read(ROOM, userId)).toEqual(written);
      }),
      fuzzParameters(6),
    );
  });

  it('reads a held message the review function wrote back the same through the moderator API’s reader', async () => {
    const write = createHeldMessageWriter(options);
    const messages = createDynamoDbHeldMessages({
      client: DynamoDBDocumentClient.from(dynamodb.client()),
      tableName,
    });
    await fc.assert(
      fc.asyncProperty(held, async (message) => {
        await write(message);
        expect(await messages.get(message.roomArn, message.messageId, message.heldAtMillis)).toEqual(message);
      }),
      fuzzParameters(6),
    );
  });

  const userItem = fc.record({
    version: fc.integer({ min: 1, max: 1_000 }),
    recent: fc.array(
      fc.tuple(fc.stringMatching(/^[a-zA-Z0-9]{12}$/), fc.nat(), fc.stringMatching(/^[0-9a-f]{0,16}$/)),
      {
        maxLength: 3,
      },
    ),
    strikes: fc.array(
      fc.tuple(fc.nat(), fc.constantFrom('slurs', 'flood'), fc.stringMatching(/^[a-zA-Z0-9]{12}$/)),
      { maxLength: 3 },
    ),
    pending: fc.array(
      fc.record({
        key: fc.stringMatching(/^[a-z]+:[a-zA-Z0-9]{12}$/),
        kind: fc.constantFrom('delete-message', 'warn', 'disconnect', 'sanction'),
        messageId: fc.stringMatching(/^[a-zA-Z0-9]{12}$/),
        plannedAtMillis: fc.nat(),
        reason: text(1, 20),
        eventName: fc.constant('app:moderation-warning'),
        strikes: fc.integer({ min: 1, max: 9 }),
        sanction: fc.oneof(
          fc.record({ kind: fc.constant('ban'), reason: text(1, 20) }),
          fc.record({ kind: fc.constant('timeout'), reason: text(1, 20), untilMillis: fc.nat() }),
        ),
      }),
      { maxLength: 3 },
    ),
    [ENFORCEMENT_TABLE.ttlAttribute]: fc.integer({ min: 1_800_000_000, max: 1_900_000_000 }),
  });
  const auditItem = fc.record({
    requestId: fc.uuid(),
    roomArn: fc.constant(ROOM),
    atMillis: fc.nat(),
    action: fc.constantFrom('ban', 'timeout', 'delete'),
    moderatorId: fc.constant('arn:aws:sts::123456789012:assumed-role/moderators/alice'),
    reason: text(1, 40),
    userId: text(1, 20),
  });

  it('reads whatever a user’s state or an audit entry holds as state, an entry or a report, never a throw', async () => {
    const invalid: unknown[] = [];
    const store = createDynamoDbEnforcementStore({
      client: documents,
      tableName,
      now: () => 1_700_000_000_000,
      onInvalidItem: (report) => invalid.push(report),
    });
    const audit = createDynamoDbAuditLog({ client: documents, tableName });
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearValid(userItem), userItem), nearValid(auditItem), async (user, entry) => {
        const fields = (value: unknown): Record<string, unknown> => {
          const stored = storable(value);
          return isRecord(stored) ? stored : {};
        };
        // An item that cannot be written (DynamoDB's rules, dynalite's own quirks with a key `__proto__`) can never
        // be read back: only what was stored matters here.
        const put = (item: Record<string, unknown>) =>
          documents.send(new PutCommand({ TableName: tableName, Item: item })).catch(() => undefined);
        for (const [pk, sk] of [
          [`ROOM#${ROOM}`, 'USER#u'],
          [`AUDIT#${ROOM}`, 'REQ#r'],
        ])
          await documents.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk } }));
        await put({ ...fields(user), pk: `ROOM#${ROOM}`, sk: 'USER#u' });
        await put({ ...fields(entry), pk: `AUDIT#${ROOM}`, sk: 'REQ#r' });
        invalid.length = 0;
        const state = (await store.loadUsers(ROOM, ['u'])).get('u');
        if (state !== undefined) {
          // An invalid item keeps its stored version (for the next save's condition), valid or not.
          expect(Number.isFinite(state.version)).toBe(true);
          for (const strike of state.state.strikes) expect(Number.isFinite(strike.atMillis)).toBe(true);
          for (const { action, plannedAtMillis } of state.pending) {
            expect(Number.isFinite(plannedAtMillis)).toBe(true);
            expect(action).toMatchObject({ roomArn: ROOM, userId: 'u', key: expect.any(String) });
            expect(['delete-message', 'warn', 'disconnect', 'sanction']).toContain(action.kind);
          }
        }
        for (const report of invalid) expect(report).toMatchObject({ problem: expect.stringMatching(/\S/) });
        for (const read of await audit.list(ROOM, {})) {
          expect(typeof read.requestId === 'string' && typeof read.reason === 'string').toBe(true);
          expect(['ban', 'unban', 'timeout', 'delete', 'disconnect', 'approve', 'reject']).toContain(
            read.action,
          );
        }
      }),
      fuzzParameters(8),
    );
  });
});

describe('fuzz: GetItem answers the review function’s reader cannot trust', () => {
  let server: RunningServer;
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  let options: SanctionReaderOptions;

  beforeAll(async () => {
    const answering = createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(answer.body),
      );
    });
    server = await listen(answering, 0, '127.0.0.1', 'http');
    options = {
      tableName: 'enforcement',
      region: 'us-east-1',
      endpoint: `${server.url}/`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  });
  afterAll(() => server.close());

  /** DynamoDB JSON attribute values, well-formed or not. */
  const attributeValue = fc.oneof(
    text(0, 20).map((S) => ({ S })),
    fc.oneof(hostileNumber.map(String), hostileString).map((N) => ({ N })),
    hostileJson,
  );
  const item = fc.oneof(
    fc.record(
      {
        kind: fc.constantFrom('ban', 'timeout', 'x').map((S) => ({ S })),
        reason: attributeValue,
        untilMillis: attributeValue,
        policy: attributeValue,
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString), attributeValue, {
      maxKeys: 4,
    }),
    hostileJson,
  );
  const body = fc.oneof(
    item.map((Item) => JSON.stringify({ Item })),
    hostileJson.map((value) => JSON.stringify(value) ?? ''),
    hostileString,
  );

  it('answers a sanction, none, or an error: never a value it did not check', async () => {
    const readSanction = createSanctionReader(options);
    const readPolicy = createRoomPolicyReader(options);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 200, 200, 400, 500), body, async (status, text) => {
        answer = { status, body: text };
        const sanctionRead = await readSanction(ROOM, 'user').then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ('error' in sanctionRead) expect(sanctionRead.error).toBeInstanceOf(Error);
        else if (sanctionRead.value !== undefined)
          expect(parseSanction(sanctionRead.value)).toEqual(sanctionRead.value);
        const policyRead = await readPolicy(ROOM).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ('error' in policyRead) expect(policyRead.error).toBeInstanceOf(Error);
        else expect(policyRead.value === undefined || typeof policyRead.value === 'string').toBe(true);
        if (status !== 200) expect('error' in sanctionRead && 'error' in policyRead).toBe(true);
        if (isRecord(sanctionRead) && 'value' in sanctionRead && sanctionRead.value?.kind === 'timeout')
          expect(Number.isFinite(sanctionRead.value.untilMillis)).toBe(true);
      }),
      fuzzParameters(20),
    );
  });
});
