import { copyFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleReviewFunction } from '../../../build/bundle-review-function.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import type { LambdaHandler } from '../../../local/load-function.js';
import { loadHandler } from '../../../local/load-function.js';
import { createDynamoDbEnforcementStore } from '../../../shared/store/dynamodb-enforcement-store.js';
import { createDynamoDbHeldMessages } from '../../../shared/store/dynamodb-held-messages.js';
import { createDynamoDbRoomStateStore } from '../../../shared/store/dynamodb-room-state-store.js';
import type { DynamoDbFault, DynamoDbFaults } from '../../helpers/dynamodb-faults.js';
import type { FaultyBackends } from '../../helpers/faulty-backends.js';
import { startFaultyBackends } from '../../helpers/faulty-backends.js';
import { HOLD_REASON, holdingPolicy } from '../../helpers/holding-policy.js';

/**
 * The review function when the enforcement table fails. Review must answer IVS within 200 ms whatever
 * DynamoDB does: sanction reads fail open (a sanction already read still applies), and a held message that
 * cannot be stored stays refused.
 */

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';
const SANCTIONS = { operation: 'GetItem', table: 'enforcement', partition: `ROOM#${ROOM}` };
const HELD_WRITES = { operation: 'PutItem', table: 'enforcement', partition: 'HELD#' };
const BANNED = { kind: 'ban', reason: 'spam' } as const;
const BANNED_REASON = 'You are banned from this chat.';
const STRICT_POLICY = path.resolve(__dirname, '../../../config/policies/strict.yaml');

let messages = 0;
const event = (userId: string, content = 'hello there') => ({
  Content: content,
  MessageId: `msg${String(++messages).padStart(9, '0')}`,
  RoomArn: ROOM,
  Attributes: {},
  Sender: { UserId: userId, Attributes: { role: 'viewer' }, Ip: '198.51.100.7' },
});

describe('the review function when the enforcement table is down, slow or throttled', () => {
  let backends: FaultyBackends;
  let dynamoDbFaults: DynamoDbFaults;

  beforeAll(async () => {
    backends = await startFaultyBackends();
    ({ dynamoDbFaults } = backends);
    const store = createDynamoDbEnforcementStore({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    });
    for (const userId of ['banned-1', 'banned-2', 'banned-3', 'banned-4', 'banned-5'])
      await store.putSanction(ROOM, userId, BANNED);
  });
  afterEach(() => backends.heal());
  afterAll(() => backends.close());

  /** A fresh container: the handler reads its settings, and starts its cache, at load. */
  async function coldHandler() {
    vi.resetModules();
    const { handler } = await import('../../../functions/review-message/handler.js');
    return (input: unknown) => handler(input, lambdaContext('reviewMessage', 3_000));
  }

  it('DynamoDB down: a sanction read before still refuses its sender; one never read lets the sender through; the policy still applies', async () => {
    const review = await coldHandler();
    // A cold read may outlast its 25 ms budget on a busy machine; the late answer fills the cache.
    await vi.waitFor(
      async () =>
        expect(await review(event('banned-1'))).toMatchObject({ Attributes: { Reason: BANNED_REASON } }),
      { timeout: 10_000 },
    );
    await dynamoDbFaults.down();
    expect(await review(event('banned-1'))).toMatchObject({
      ReviewResult: 'DENY',
      Attributes: { Reason: BANNED_REASON },
    });
    expect(await review(event('banned-2'))).toMatchObject({ ReviewResult: 'ALLOW', Content: 'hello there' });
    expect(await review(event('banned-2', 'what the fuck'))).toMatchObject({
      ReviewResult: 'ALLOW',
      Content: 'what the ****',
    });
    expect(await review(event('banned-2', 'ur a faggot'))).toMatchObject({ ReviewResult: 'DENY' });
  });

  it('DynamoDB slow: review answers without the sanction, one read at a time, and the late answer refuses the next message', async () => {
    const review = await coldHandler();
    dynamoDbFaults.inject(SANCTIONS, { kind: 'delay', ms: 500 });
    const before = dynamoDbFaults.calls(SANCTIONS);
    expect(await review(event('banned-3'))).toMatchObject({ ReviewResult: 'ALLOW' });
    expect(await review(event('banned-3'))).toMatchObject({ ReviewResult: 'ALLOW' });
    await vi.waitFor(
      async () =>
        expect(await review(event('banned-3'))).toMatchObject({
          ReviewResult: 'DENY',
          Attributes: { Reason: BANNED_REASON },
        }),
      { timeout: 10_000 },
    );
    // Every message meanwhile joined the one read still running; then the cache answered.
    expect(dynamoDbFaults.calls(SANCTIONS) - before).toBe(1);
  });

  it.each<[string, DynamoDbFault, string]>([
    ['throttling (ProvisionedThroughputExceeded)', { kind: 'throttle' }, 'banned-4'],
    ['a server error (500)', { kind: 'server-error' }, 'banned-5'],
  ])('DynamoDB %s: review goes on without the sanction', async (_case, fault, userId) => {
    const review = await coldHandler();
    dynamoDbFaults.inject(SANCTIONS, fault);
    const before = dynamoDbFaults.calls(SANCTIONS);
    expect(await review(event(userId))).toMatchObject({ ReviewResult: 'ALLOW' });
    await vi.waitFor(() => expect(dynamoDbFaults.calls(SANCTIONS) - before).toBe(1));
    expect(await review(event(userId, 'ur a faggot'))).toMatchObject({ ReviewResult: 'DENY' });
    expect(await review(event(userId))).toMatchObject({ ReviewResult: 'ALLOW' });
  });
});

describe('the review function holding a message when the enforcement table is down, slow or throttled', () => {
  let backends: FaultyBackends;
  let dynamoDbFaults: DynamoDbFaults;
  let directory = '';
  let review: LambdaHandler;
  const logged: string[] = [];

  beforeAll(async () => {
    backends = await startFaultyBackends();
    ({ dynamoDbFaults } = backends);
    directory = await mkdtemp(path.join(tmpdir(), 'review-faults-'));
    // Bundled as `sls package` does, with links held for a moderator.
    const { outfile } = await bundleReviewFunction(
      path.join(directory, 'handler.js'),
      await holdingPolicy(directory),
    );
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    review = loadHandler(outfile);
    // Powertools prints ERROR lines with console.error.
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    logged.length = 0;
    await backends.heal();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await backends.close();
    await rm(directory, { recursive: true, force: true });
  });

  const hold = async () => {
    const message = event('linker', 'see example.com now');
    const response = await review(message, lambdaContext('reviewMessage', 3_000));
    return { messageId: message.MessageId, response };
  };
  const refusedForHold = { ReviewResult: 'DENY', Attributes: { Reason: HOLD_REASON } };
  const heldIn = (messageId: string) =>
    createDynamoDbHeldMessages({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    }).get(ROOM, messageId, Date.now());
  /** The ERROR lines the function logged about the message. */
  const errorsAbout = (messageId: string) =>
    logged.flatMap((line) => {
      const entry: unknown = JSON.parse(line);
      return typeof entry === 'object' && entry !== null && line.includes(messageId) ? [entry] : [];
    });

  it('keeps the held message when the table answers', async () => {
    const { messageId, response } = await hold();
    expect(response).toMatchObject(refusedForHold);
    // Within 60 ms, unless this machine is too busy: the write lands either way.
    await vi.waitFor(
      async () => expect(await heldIn(messageId)).toMatchObject({ messageId, userId: 'linker' }),
      { timeout: 10_000 },
    );
  });

  it.each<[string, DynamoDbFault | 'down']>([
    ['down (connections refused)', 'down'],
    ['throttling', { kind: 'throttle' }],
    ['failing (500)', { kind: 'server-error' }],
  ])('table %s: the message stays refused, is not kept, and the log names it', async (_case, fault) => {
    if (fault === 'down') await dynamoDbFaults.down();
    else dynamoDbFaults.inject(HELD_WRITES, fault);
    const before = dynamoDbFaults.calls(HELD_WRITES);
    const { messageId, response } = await hold();
    expect(response).toMatchObject(refusedForHold);
    // Told by id: as failed, or as unconfirmed when the failure took longer than the 60 ms the write may take.
    expect(errorsAbout(messageId)).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringMatching(
          /^held message not (kept|confirmed within 60 ms: it may not be kept)$/,
        ),
        messageId,
        roomArn: ROOM,
      }),
    ]);
    // One attempt, not retried, and nothing stored.
    const attempts = fault === 'down' ? 0 : 1;
    await vi.waitFor(() => expect(dynamoDbFaults.calls(HELD_WRITES) - before).toBe(attempts));
    await dynamoDbFaults.up();
    expect(await heldIn(messageId)).toBeUndefined();
  });

  it('table slow: the message stays refused at once; the write, not abandoned, may still land', async () => {
    dynamoDbFaults.inject(HELD_WRITES, { kind: 'delay', ms: 400 }, 1);
    const { messageId, response } = await hold();
    expect(response).toMatchObject(refusedForHold);
    expect(errorsAbout(messageId)).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'held message not confirmed within 60 ms: it may not be kept',
        messageId,
      }),
    ]);
    // In this process nothing freezes the write: it lands when the table answers.
    await vi.waitFor(async () => expect(await heldIn(messageId)).toMatchObject({ messageId }));
  });
});

describe('the review function reading its room’s policy assignment when the enforcement table fails', () => {
  const ASSIGNMENTS = { operation: 'GetItem', table: 'enforcement', partition: 'FLEET' };
  /** Refused by the strict policy the room is assigned (links), delivered under the default one. */
  const LINK = 'the schedule is up at example.com/events';
  let backends: FaultyBackends;
  let dynamoDbFaults: DynamoDbFaults;
  let directory = '';
  let outfile = '';
  let containers = 0;

  beforeAll(async () => {
    backends = await startFaultyBackends();
    ({ dynamoDbFaults } = backends);
    directory = await mkdtemp(path.join(tmpdir(), 'review-assignment-faults-'));
    // A manifest that names the strict policy: review then reads each room's assignment.
    const manifest = path.join(directory, 'manifest.yaml');
    await writeFile(
      manifest,
      `policies:\n  strict: ${JSON.stringify(STRICT_POLICY)}\nrooms:\n  - select: all\n    policy: strict\n`,
    );
    ({ outfile } = await bundleReviewFunction(path.join(directory, 'handler.js'), undefined, manifest));
    // As the reconciler publishes it.
    await createDynamoDbRoomStateStore({
      client: DynamoDBDocumentClient.from(backends.dynamoDb.client()),
      tableName: 'enforcement',
    }).put(ROOM, { policy: 'strict' });
  });
  afterEach(() => backends.heal());
  afterAll(async () => {
    await backends.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** A new execution environment: a copy of the bundle of its own, so its caches start empty. */
  function coldContainer() {
    const copy = path.join(directory, `handler.${++containers}.js`);
    copyFileSync(outfile, copy);
    const handler = loadHandler(copy);
    return (input: unknown) => handler(input, lambdaContext('reviewMessage', 3_000));
  }

  it('applies the assignment once read, and keeps applying it while the table is down', async () => {
    const review = coldContainer();
    // A cold read may outlast its 50 ms budget on a busy machine; the late answer fills the cache.
    await vi.waitFor(
      async () => expect(await review(event('reader', LINK))).toMatchObject({ ReviewResult: 'DENY' }),
      { timeout: 10_000 },
    );
    await dynamoDbFaults.down();
    expect(await review(event('reader', LINK))).toMatchObject({ ReviewResult: 'DENY' });
  });

  it.each<[string, DynamoDbFault | 'down']>([
    ['down (connections refused)', 'down'],
    ['throttling', { kind: 'throttle' }],
    ['failing (500)', { kind: 'server-error' }],
    ['slow (400 ms)', { kind: 'delay', ms: 400 }],
  ])(
    'table %s before the first read: the room is reviewed under the default policy, and nobody waits for the table',
    async (_case, fault) => {
      const review = coldContainer();
      if (fault === 'down') await dynamoDbFaults.down();
      else dynamoDbFaults.inject(ASSIGNMENTS, fault);
      expect(await review(event('early', LINK))).toMatchObject({ ReviewResult: 'ALLOW', Content: LINK });
      // The default policy's own refusals still hold.
      expect(await review(event('early', 'ur a faggot'))).toMatchObject({ ReviewResult: 'DENY' });
    },
  );

  it('reads the assignment again once the table is back: a failed read is retried after 5 s, not 30', async () => {
    const review = coldContainer();
    dynamoDbFaults.inject(ASSIGNMENTS, { kind: 'server-error' });
    expect(await review(event('patient', LINK))).toMatchObject({ ReviewResult: 'ALLOW' });
    await backends.heal();
    await vi.waitFor(
      async () => expect(await review(event('patient', LINK))).toMatchObject({ ReviewResult: 'DENY' }),
      { timeout: 10_000, interval: 500 },
    );
  }, 20_000);
});
