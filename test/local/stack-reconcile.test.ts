import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IvschatClient, TagResourceCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';
import { POLICY_TAG_KEY } from '../../shared/rooms/validate-room-manifest.js';
import { TEST_CREDENTIALS } from '../helpers/emulated-room.js';

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

const STRICT_POLICY = path.resolve(__dirname, '../../config/policies/strict.yaml');

/** Two rooms: the lobby as shipped, and a kids' room that starts with no review handler and no logging. */
const ROOMS_FILE = `
loggingConfigurations:
  - name: moderation-chat-logs
    destinationConfiguration:
      cloudWatchLogs:
        logGroupName: /ivs-chat-moderation/local/chat
rooms:
  - name: lobby
    maximumMessageLength: 500
    maximumMessageRatePerSecond: 10
    messageReviewHandler: { function: reviewMessage, fallbackResult: ALLOW }
    loggingConfigurations: [moderation-chat-logs]
  - name: kids
    maximumMessageLength: 500
    maximumMessageRatePerSecond: 10
    loggingConfigurations: []
`;

const MANIFEST = `
policies:
  strict: ${JSON.stringify(STRICT_POLICY)}
loggingConfigurations:
  - name: moderation-chat-logs
    destination: { stage: log-group }
rooms:
  - select: all
    reviewHandler: { uri: stage, fallbackResult: ALLOW }
    loggingConfigurations: [moderation-chat-logs]
  - select: { tags: { audience: kids } }
    policy: strict
    maximumMessageLength: 200
`;

describe('per-room policies through the local stack: one reconcile run, then review applies the room’s policy', () => {
  let stack: RunningStack;
  let dataDirectory: string;
  const connected: ChatRoom[] = [];

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-reconcile-'));
    const roomsFile = path.join(dataDirectory, 'rooms.yaml');
    const roomsManifest = path.join(dataDirectory, 'manifest.yaml');
    await writeFile(roomsFile, ROOMS_FILE);
    await writeFile(roomsManifest, MANIFEST);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    stack = await startStack({ dataDirectory, roomsFile, roomsManifest, chatLogDelayMs: 100 });
  });
  afterAll(async () => {
    for (const room of connected) room.disconnect();
    await stack?.stop();
    vi.unstubAllEnvs();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  async function join(roomName: string, userId: string): Promise<ChatRoom> {
    const room = stack.rooms.get(roomName);
    if (room === undefined) throw new Error(`no room ${roomName}`);
    const chat = new ChatRoom({
      regionOrUrl: stack.messagingUrl,
      tokenProvider: () => stack.createChatToken(room.arn, { userId, role: 'viewer' }),
    });
    chat.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
    const open = new Promise<void>((resolve) => chat.addListener('connect', () => resolve()));
    chat.connect();
    connected.push(chat);
    await open;
    return chat;
  }

  const verdict = (chat: ChatRoom, text: string) =>
    chat.sendMessage(new SendMessageRequest(text)).then(
      () => 'delivered',
      (error: unknown) => error,
    );

  it('denies in the kids’ room what the default policy lets through in the lobby', async () => {
    const kids = stack.rooms.get('kids');
    if (kids === undefined) throw new Error('no kids room');
    // The operator tags the room, as an app would: the manifest selects rooms by tag.
    const ivschat = new IvschatClient({
      endpoint: stack.controlPlaneUrl,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    await ivschat.send(new TagResourceCommand({ resourceArn: kids.arn, tags: { audience: 'kids' } }));
    ivschat.destroy();

    const summary = await stack.reconcileRooms();
    expect(summary).toMatchObject({ rooms: { listed: 2, selected: 2, drifted: 1 }, failed: [] });
    expect(kids).toMatchObject({
      maximumMessageLength: 200,
      messageReviewHandler: { fallbackResult: 'ALLOW', uri: expect.stringMatching(/reviewMessage$/) },
      tags: { audience: 'kids', [POLICY_TAG_KEY]: 'strict' },
    });
    expect(kids.loggingConfigurationIdentifiers).toEqual(
      stack.rooms.get('lobby')?.loggingConfigurationIdentifiers,
    );

    const message = 'the schedule is up at example.com/events';
    expect(await verdict(await join('lobby', 'grown-up'), message)).toBe('delivered');
    const kid = await join('kids', 'kid');
    // A fresh review container waits at most 50 ms for a room's assignment and reviews under the default policy
    // until it has it (README: per-room policies); the bundle's first DynamoDB call here often takes longer.
    await vi.waitFor(async () => expect(await verdict(kid, message)).toMatchObject({ errorCode: 406 }), {
      timeout: 5_000,
      interval: 200,
    });

    // In sync now: a second run changes nothing.
    expect(await stack.reconcileRooms()).toMatchObject({ rooms: { drifted: 0 }, changesByKind: {} });
  }, 60_000);
});
