import {
  type ChatError,
  type ChatEvent,
  type ChatMessage,
  ChatRoom,
  type DeleteMessageEvent,
  DeleteMessageRequest,
  type DisconnectReason,
  type DisconnectUserEvent,
  DisconnectUserRequest,
  SendMessageRequest,
} from 'amazon-ivs-chat-messaging';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { handler as defaultReviewHandler } from '../../../functions/review-message/handler.js';
import {
  type Capability,
  type ChatLogRecord,
  ChatState,
  type FallbackResult,
  type ReviewRecord,
  type Room,
  type RunningServer,
} from '../../../local/ivschat/chat-state.js';
import { type ReviewHandlers, startMessaging } from '../../../local/ivschat/messaging.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { isRecord } from '../../../shared/guards.js';

// Node 20 has no global WebSocket; the official client needs one (contracts §0.6).
Object.assign(globalThis, { WebSocket });

const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const DEFAULT_REVIEW = lambdaArn('ivs-chat-moderation-dev-reviewMessage');
const SLOW_REVIEW = lambdaArn('slow');
const THROWING_REVIEW = lambdaArn('throwing');
const INVALID_REVIEW = lambdaArn('invalid');
const NOT_DEPLOYED = lambdaArn('not-deployed');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What each deployed handler was called with, to check the request IVS sends. */
const reviewCalls: { event: unknown; context: Context }[] = [];
let slowReviewsRunning = 0;
const deployed: Record<string, (event: unknown, context: Context) => Promise<unknown>> = {
  [DEFAULT_REVIEW]: async (event, context) => {
    reviewCalls.push({ event, context });
    return defaultReviewHandler(event, context);
  },
  [SLOW_REVIEW]: async () => {
    slowReviewsRunning++;
    await sleep(500);
    slowReviewsRunning--;
    return { ReviewResult: 'DENY', Content: '', Attributes: { Reason: 'too late to count' } };
  },
  [THROWING_REVIEW]: async () => {
    throw new Error('handler crashed');
  },
  [INVALID_REVIEW]: async () => ({ ReviewResult: 'MAYBE', Content: 'rewritten', Attributes: {} }),
};
const BROKEN_LOOKUP = lambdaArn('broken-lookup');
const reviewHandlers: ReviewHandlers = (functionArn) => {
  if (functionArn === BROKEN_LOOKUP) throw new Error('the emulator could not resolve the function');
  return deployed[functionArn];
};

/** A client that drops its own console logging: tests provoke errors on purpose. */
const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };

interface Client {
  readonly room: ChatRoom;
  readonly messages: ChatMessage[];
  readonly events: ChatEvent[];
  readonly deletions: DeleteMessageEvent[];
  readonly userDisconnects: DisconnectUserEvent[];
  readonly disconnects: DisconnectReason[];
}

let state: ChatState;
let server: RunningServer;
let chatLog: ChatLogRecord[];
const openClients: ChatRoom[] = [];

function createRoom(
  settings: Partial<Pick<Room, 'maximumMessageLength' | 'maximumMessageRatePerSecond'>> = {},
) {
  const id = state.newId();
  const room: Room = {
    arn: state.arn('room', id),
    id,
    createTime: state.now(),
    updateTime: state.now(),
    maximumMessageLength: settings.maximumMessageLength ?? 500,
    maximumMessageRatePerSecond: settings.maximumMessageRatePerSecond ?? 100,
    messageReviewHandler: { uri: DEFAULT_REVIEW, fallbackResult: 'ALLOW' },
    loggingConfigurationIdentifiers: [],
    tags: {},
  };
  state.rooms.set(room.arn, room);
  return room;
}

function issueToken(room: Room, userId: string, capabilities: readonly Capability[], minutes = 60) {
  return state.issueToken({
    roomArn: room.arn,
    userId,
    attributes: { displayName: userId },
    capabilities,
    sessionDurationInMinutes: minutes,
  }).token;
}

/** An official client, connected, whose token provider mints a fresh token each time as a backend would. */
async function connect(room: Room, userId: string, capabilities: readonly Capability[]): Promise<Client> {
  const chatRoom = new ChatRoom({
    regionOrUrl: server.url,
    tokenProvider: async () => ({ token: issueToken(room, userId, capabilities) }),
  });
  chatRoom.logger = silent;
  const client: Client = {
    room: chatRoom,
    messages: [],
    events: [],
    deletions: [],
    userDisconnects: [],
    disconnects: [],
  };
  chatRoom.addListener('message', (message) => client.messages.push(message));
  chatRoom.addListener('event', (event) => client.events.push(event));
  chatRoom.addListener('messageDelete', (event) => client.deletions.push(event));
  chatRoom.addListener('userDisconnect', (event) => client.userDisconnects.push(event));
  chatRoom.addListener('disconnect', (reason) => client.disconnects.push(reason));
  const connected = new Promise<void>((resolve, reject) => {
    chatRoom.addListener('connect', () => resolve());
    chatRoom.addListener('disconnect', (reason) => reject(new Error(`disconnected: ${reason}`)));
  });
  chatRoom.connect();
  openClients.push(chatRoom);
  await connected;
  return client;
}

/** The ChatError a request was rejected with. */
async function rejection(request: Promise<unknown>): Promise<ChatError> {
  const error: unknown = await request.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isRecord(error) || typeof error.errorCode !== 'number' || typeof error.errorMessage !== 'string') {
    throw new Error(`expected a ChatError, got ${JSON.stringify(error)}`);
  }
  return { id: String(error.id), errorCode: error.errorCode, errorMessage: error.errorMessage };
}

/** A bare `ws` socket for what the official client cannot send. */
function rawSocket(token: string) {
  const socket = new WebSocket(server.url, token);
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    const frame: unknown = JSON.parse(String(data));
    if (isRecord(frame)) frames.push(frame);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  return { socket, frames, closed, opened };
}

/** The HTTP status a handshake is refused with. */
function handshakeStatus(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.url, token);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('handshake accepted')));
    socket.on('error', () => undefined);
  });
}

beforeAll(async () => {
  state = new ChatState();
  server = await startMessaging(state, { reviewHandlers });
  // A warm function, as in a room with steady traffic: a cold first call could eat the 200 ms budget.
  await defaultReviewHandler({ Content: 'warm up', Sender: { UserId: 'x' } }, lambdaContext('warm-up'));
});

afterAll(async () => {
  for (const client of openClients) client.disconnect();
  await server.close();
});

beforeEach(() => {
  chatLog = [];
  reviewCalls.length = 0;
  const stopLogging = state.onChatLog((record) => chatLog.push(record));
  return () => {
    stopLogging();
  };
});

describe('Messaging: two official clients in a room with the default review handler', () => {
  let room: Room;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    room = createRoom();
    alice = await connect(room, 'alice', ['SEND_MESSAGE']);
    bob = await connect(room, 'bob', ['SEND_MESSAGE']);
  });

  it('delivers a clean message to both, reviewed with the request IVS sends, and logs it', async () => {
    const sent = await alice.room.sendMessage(new SendMessageRequest('hello everyone', { replyTo: 'abc' }));

    expect(sent).toMatchObject({ content: 'hello everyone', sender: { userId: 'alice' } });
    await vi.waitFor(() => expect(bob.messages.map((message) => message.id)).toContain(sent.id));
    expect(alice.messages.map((message) => message.id)).toContain(sent.id);
    expect(bob.messages.at(-1)).toMatchObject({
      content: 'hello everyone',
      attributes: { replyTo: 'abc' },
      sender: { userId: 'alice', attributes: { displayName: 'alice' } },
    });
    expect(reviewCalls).toHaveLength(1);
    expect(reviewCalls[0]?.event).toEqual({
      Content: 'hello everyone',
      MessageId: sent.id,
      RoomArn: room.arn,
      Attributes: { replyTo: 'abc' },
      Sender: { UserId: 'alice', Attributes: { displayName: 'alice' }, Ip: '127.0.0.1' },
    });
    expect(reviewCalls[0]?.context.functionName).toBe('ivs-chat-moderation-dev-reviewMessage');
    expect(sent.id).toMatch(/^[a-zA-Z0-9]{12}$/);
    expect(chatLog).toEqual([
      {
        roomArn: room.arn,
        record: {
          event_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          type: 'MESSAGE',
          version: '1.0',
          payload: {
            Type: 'MESSAGE',
            Id: sent.id,
            RequestId: '',
            Content: 'hello everyone',
            Attributes: { replyTo: 'abc' },
            SendTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/),
            Sender: { UserId: 'alice', Attributes: { displayName: 'alice' } },
          },
        },
      },
    ]);
  });

  it("refuses a message the policy denies with 406 and the policy's reason, delivering it to nobody", async () => {
    const error = await rejection(alice.room.sendMessage(new SendMessageRequest('you are such a faggot')));

    expect(error).toMatchObject({
      errorCode: 406,
      errorMessage: 'Your message was not sent because it contains a slur.',
    });
    // A later message is the barrier: had the denied one been delivered, it would have arrived first.
    const after = await alice.room.sendMessage(new SendMessageRequest('sorry'));
    await vi.waitFor(() => expect(bob.messages.map((message) => message.id)).toContain(after.id));
    const everything = [...alice.messages, ...bob.messages].map((message) => message.content);
    expect(everything).not.toContain('you are such a faggot');
    expect(chatLog.map(({ record }) => record.payload)).toEqual([
      expect.objectContaining({ Content: 'sorry' }),
    ]);
  });

  it('delivers a masked message rewritten, to both', async () => {
    const sent = await alice.room.sendMessage(new SendMessageRequest('what the fuck'));

    expect(sent.content).toBe('what the ****');
    await vi.waitFor(() => expect(bob.messages.map((message) => message.id)).toContain(sent.id));
    expect(bob.messages.find((message) => message.id === sent.id)).toMatchObject({
      content: 'what the ****',
      attributes: { 'moderation.result': 'masked', 'moderation.rules': 'profanity' },
    });
  });

  it('passes control-plane events (DeleteMessage, SendEvent) to both clients, leaving their logging to the control plane', async () => {
    const sent = await alice.room.sendMessage(new SendMessageRequest('delete me'));
    state.publishRoomEvent({
      kind: 'event',
      roomArn: room.arn,
      id: state.newId(),
      eventName: 'aws:DELETE_MESSAGE',
      attributes: { MessageId: sent.id, MessageID: sent.id, Reason: 'spam' },
      sendTime: state.now(),
    });
    state.publishRoomEvent({
      kind: 'event',
      roomArn: room.arn,
      id: state.newId(),
      eventName: 'app:poll',
      attributes: { question: 'best emote?' },
      sendTime: state.now(),
    });

    for (const client of [alice, bob]) {
      await vi.waitFor(() => expect(client.events.map((event) => event.eventName)).toContain('app:poll'));
      expect(client.deletions.at(-1)).toMatchObject({ messageId: sent.id, reason: 'spam' });
    }
    // The control plane logs the events it sends (test/local/ivschat/control-plane.test.ts), connected or not.
    expect(chatLog.map(({ record }) => [record.type, record.payload])).toEqual([
      ['MESSAGE', expect.objectContaining({ Content: 'delete me' })],
    ]);
  });

  it('disconnects every connection of a user on a control-plane DisconnectUser, telling both clients', async () => {
    const bobAgain = await connect(room, 'bob', ['SEND_MESSAGE']);
    state.publishRoomEvent({ kind: 'disconnect', roomArn: room.arn, userId: 'bob', reason: 'timed out' });

    await vi.waitFor(() => expect(bob.disconnects).toEqual(['serverDisconnect']));
    await vi.waitFor(() => expect(bobAgain.disconnects).toEqual(['serverDisconnect']));
    await vi.waitFor(() =>
      expect(alice.userDisconnects.at(-1)).toMatchObject({ userId: 'bob', reason: 'timed out' }),
    );
    expect(bob.userDisconnects.at(-1)).toMatchObject({ userId: 'bob', reason: 'timed out' });
    expect(alice.room.state).toBe('connected');
    expect(chatLog).toEqual([]);
  });
});

describe('Messaging: moderator actions over the WebSocket', () => {
  it('DELETE_MESSAGE and DISCONNECT_USER settle the moderator’s requests and reach the room', async () => {
    const room = createRoom();
    const moderator = await connect(room, 'mod', ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']);
    const viewer = await connect(room, 'viewer', ['SEND_MESSAGE']);
    const sent = await viewer.room.sendMessage(new SendMessageRequest('buy followers at spam dot example'));

    const deletion = await moderator.room.deleteMessage(new DeleteMessageRequest(sent.id, 'spam'));
    expect(deletion).toMatchObject({ messageId: sent.id, reason: 'spam' });
    await vi.waitFor(() => expect(viewer.deletions.map((event) => event.messageId)).toEqual([sent.id]));
    expect(viewer.deletions[0]?.attributes).toEqual({
      MessageId: sent.id,
      MessageID: sent.id,
      Reason: 'spam',
    });

    const disconnection = await moderator.room.disconnectUser(
      new DisconnectUserRequest('viewer', 'spamming'),
    );
    expect(disconnection).toMatchObject({ userId: 'viewer', reason: 'spamming' });
    await vi.waitFor(() => expect(viewer.disconnects).toEqual(['serverDisconnect']));
    expect(moderator.room.state).toBe('connected');
  });

  it('refuses actions the token has no capability for with 403', async () => {
    const room = createRoom();
    const viewer = await connect(room, 'lurker', []);

    expect(await rejection(viewer.room.sendMessage(new SendMessageRequest('hi')))).toMatchObject({
      errorCode: 403,
    });
    expect(
      await rejection(viewer.room.deleteMessage(new DeleteMessageRequest('AbCdEfGhIjKl'))),
    ).toMatchObject({
      errorCode: 403,
    });
    expect(await rejection(viewer.room.disconnectUser(new DisconnectUserRequest('someone')))).toMatchObject({
      errorCode: 403,
    });
    expect(reviewCalls).toEqual([]);
  });
});

describe("Messaging: the review handler's 200 ms limit and the room's fallbackResult", () => {
  let room: Room;
  let sender: Client;

  beforeAll(async () => {
    room = createRoom();
    sender = await connect(room, 'sender', ['SEND_MESSAGE']);
  });

  it.each<[string, FallbackResult, string]>([
    ['a handler slower than 200 ms', 'ALLOW', SLOW_REVIEW],
    ['a handler slower than 200 ms', 'DENY', SLOW_REVIEW],
    ['a throwing handler', 'ALLOW', THROWING_REVIEW],
    ['a throwing handler', 'DENY', THROWING_REVIEW],
    ['an invalid reply', 'ALLOW', INVALID_REVIEW],
    ['an invalid reply', 'DENY', INVALID_REVIEW],
    ['no function deployed under the ARN', 'ALLOW', NOT_DEPLOYED],
    ['no function deployed under the ARN', 'DENY', NOT_DEPLOYED],
  ])('%s gets fallbackResult %s', async (_case, fallbackResult, uri) => {
    room.messageReviewHandler = { uri, fallbackResult };
    const content = `original text for ${fallbackResult}`;

    const sending = sender.room.sendMessage(new SendMessageRequest(content, { kept: 'yes' }));

    if (fallbackResult === 'ALLOW') {
      await expect(sending).resolves.toMatchObject({ content, attributes: { kept: 'yes' } });
      expect(chatLog).toHaveLength(1);
    } else {
      expect(await rejection(sending)).toEqual({
        id: expect.any(String),
        errorCode: 406,
        errorMessage: 'The request was rejected during message review',
      });
      expect(chatLog).toEqual([]);
    }
    // The fallback was applied while the slow handler was still running; its late DENY does not count.
    if (uri === SLOW_REVIEW) expect(slowReviewsRunning).toBeGreaterThan(0);
  });

  it('answers an emulator fault with ERROR 500 for the request, keeping the connection', async () => {
    room.messageReviewHandler = { uri: BROKEN_LOOKUP, fallbackResult: 'ALLOW' };
    expect(await rejection(sender.room.sendMessage(new SendMessageRequest('hello')))).toMatchObject({
      errorCode: 500,
    });
    expect(sender.room.state).toBe('connected');
  });

  it('delivers without review when the room has no handler', async () => {
    room.messageReviewHandler = { uri: '', fallbackResult: 'DENY' };
    await expect(sender.room.sendMessage(new SendMessageRequest('what the fuck'))).resolves.toMatchObject({
      content: 'what the fuck',
    });
  });
});

describe('Messaging: connections and tokens', () => {
  it('refuses a token that was already used (single use), with HTTP 401 at the handshake', async () => {
    const room = createRoom();
    const token = issueToken(room, 'reuser', ['SEND_MESSAGE']);
    const first = rawSocket(token);
    await first.opened;
    expect(first.socket.protocol).toBe(token);

    expect(await handshakeStatus(token)).toBe(401);
    first.socket.close();
  });

  it('makes the official client give up with socketError when its provider keeps returning a used token', async () => {
    const room = createRoom();
    const token = issueToken(room, 'reuser', ['SEND_MESSAGE']);
    const first = rawSocket(token);
    await first.opened;
    const chatRoom = new ChatRoom({ regionOrUrl: server.url, tokenProvider: async () => ({ token }) });
    chatRoom.logger = silent;
    const reasons: DisconnectReason[] = [];
    chatRoom.addListener('disconnect', (reason) => reasons.push(reason));

    chatRoom.connect();

    await vi.waitFor(() => expect(reasons).toEqual(['socketError']));
    first.socket.close();
  });

  it('refuses unknown and expired tokens (401) and tokens for deleted rooms (404)', async () => {
    const room = createRoom();
    expect(await handshakeStatus('not-a-token')).toBe(401);

    const expired = state.issueToken({
      roomArn: room.arn,
      userId: 'late',
      attributes: {},
      capabilities: [],
      sessionDurationInMinutes: 60,
    });
    state.tokens.set(expired.token, { ...expired, tokenExpirationTime: new Date(Date.now() - 1) });
    expect(await handshakeStatus(expired.token)).toBe(401);

    const orphan = issueToken(room, 'orphan', []);
    state.rooms.delete(room.arn);
    expect(await handshakeStatus(orphan)).toBe(404);
  });

  it('ends a session after its duration with ERROR 401, then closes the socket', async () => {
    const room = createRoom();
    const client = rawSocket(issueToken(room, 'brief', ['SEND_MESSAGE'], 0.005)); // 300 ms

    expect(await client.closed).toBe(1000);
    expect(client.frames).toEqual([expect.objectContaining({ Type: 'ERROR', ErrorCode: 401 })]);
  });
});

describe('Messaging: request validation and room limits', () => {
  it('refuses content over maximumMessageLength (in code points) and attributes over 1 KB with 413', async () => {
    const room = createRoom({ maximumMessageLength: 10 });
    room.messageReviewHandler = { uri: '', fallbackResult: 'ALLOW' };
    const client = await connect(room, 'talker', ['SEND_MESSAGE']);

    expect(await rejection(client.room.sendMessage(new SendMessageRequest('x'.repeat(11))))).toMatchObject({
      errorCode: 413,
    });
    // Ten emoji are twenty UTF-16 units but ten code points.
    await expect(client.room.sendMessage(new SendMessageRequest('😀'.repeat(10)))).resolves.toBeDefined();
    const bigAttributes = { blob: 'a'.repeat(1021) }; // 4 + 1021 bytes: one over 1 KB
    expect(
      await rejection(client.room.sendMessage(new SendMessageRequest('hi', bigAttributes))),
    ).toMatchObject({
      errorCode: 413,
    });
  });

  it("refuses messages over the room's maximumMessageRatePerSecond with 429", async () => {
    const room = createRoom({ maximumMessageRatePerSecond: 2 });
    room.messageReviewHandler = { uri: '', fallbackResult: 'ALLOW' };
    const first = await connect(room, 'fast', ['SEND_MESSAGE']);
    const second = await connect(room, 'faster', ['SEND_MESSAGE']);

    // The limit is for the whole room: two senders share it.
    const results = await Promise.allSettled([
      first.room.sendMessage(new SendMessageRequest('one')),
      second.room.sendMessage(new SendMessageRequest('two')),
      first.room.sendMessage(new SendMessageRequest('three')),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ errorCode: 429 }) },
    ]);
    await sleep(1_000);
    await expect(first.room.sendMessage(new SendMessageRequest('four'))).resolves.toBeDefined();
  });

  it('answers malformed frames with an ERROR 400, echoing the RequestId when it can be read', async () => {
    const room = createRoom();
    const client = rawSocket(issueToken(room, 'fuzzer', ['SEND_MESSAGE', 'DELETE_MESSAGE']));
    await client.opened;
    const frames = [
      'not json',
      '[1,2]',
      JSON.stringify({ Action: 'SHOUT', RequestId: 'r1' }),
      JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r2', Content: 42 }),
      JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r3', Content: 'hi', Attributes: { n: 1 } }),
      JSON.stringify({ Action: 'DELETE_MESSAGE', RequestId: 'r4' }),
      JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 5, Content: 'hi' }),
    ];

    for (const frame of frames) client.socket.send(frame);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });

    await vi.waitFor(() => expect(client.frames).toHaveLength(frames.length + 1));
    expect(client.frames.map((frame) => [frame.Type, frame.ErrorCode, frame.RequestId])).toEqual([
      ['ERROR', 400, ''],
      ['ERROR', 400, ''],
      ['ERROR', 400, 'r1'],
      ['ERROR', 400, 'r2'],
      ['ERROR', 400, 'r3'],
      ['ERROR', 400, 'r4'],
      ['ERROR', 400, ''],
      ['ERROR', 400, ''],
    ]);
    for (const frame of client.frames) expect(frame.ErrorMessage).toEqual(expect.any(String));
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });
});

describe('Messaging: review records (what a load test reads review latency from)', () => {
  it('publishes one per review call, with the client’s request id, the verdict and why a fallback applied', async () => {
    const room = createRoom();
    const sender = await connect(room, 'timed', ['SEND_MESSAGE']);
    const records: ReviewRecord[] = [];
    const stop = state.onReview((record) => records.push(record));
    const clean = new SendMessageRequest('good game everyone');
    const slur = new SendMessageRequest('you are such a faggot');
    const delivered = await sender.room.sendMessage(clean);
    await rejection(sender.room.sendMessage(slur));
    room.messageReviewHandler = { uri: SLOW_REVIEW, fallbackResult: 'ALLOW' };
    const slow = new SendMessageRequest('slow to review');
    await sender.room.sendMessage(slow);
    stop();

    const base = {
      roomArn: room.arn,
      userId: 'timed',
      startedAtMs: expect.any(Number),
      durationMs: expect.any(Number),
    };
    expect(records).toEqual([
      { ...base, requestId: clean.requestId, messageId: delivered.id, result: 'ALLOW' },
      {
        ...base,
        requestId: slur.requestId,
        messageId: expect.stringMatching(/^[a-zA-Z0-9]{12}$/),
        result: 'DENY',
      },
      {
        ...base,
        requestId: slow.requestId,
        messageId: expect.any(String),
        result: 'ALLOW',
        fallbackCause: 'timed out after 200 ms',
      },
    ]);
  });

  it('publishes none for a message refused over the room’s rate', async () => {
    const room = createRoom({ maximumMessageRatePerSecond: 1 });
    const sender = await connect(room, 'hasty', ['SEND_MESSAGE']);
    const records: ReviewRecord[] = [];
    const stop = state.onReview((record) => records.push(record));
    const results = await Promise.allSettled([
      sender.room.sendMessage(new SendMessageRequest('first')),
      sender.room.sendMessage(new SendMessageRequest('second')),
    ]);
    stop();

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(records).toHaveLength(1);
  });
});
