import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChatMessage, DeleteMessageEvent } from 'amazon-ivs-chat-messaging';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

describe('the local stack enforces the policy after delivery, from the chat logs', () => {
  let stack: RunningStack;
  let dataDirectory: string;
  const rooms: ChatRoom[] = [];

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-enforcement-'));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    stack = await startStack({ dataDirectory, chatLogDelayMs: 100 });
  });
  afterAll(async () => {
    for (const room of rooms) room.disconnect();
    await stack.stop();
    vi.unstubAllEnvs();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  async function join(userId: string) {
    const lobby = stack.rooms.values().next().value;
    if (lobby === undefined) throw new Error('no lobby');
    const room = new ChatRoom({
      regionOrUrl: stack.messagingUrl,
      tokenProvider: () => stack.createChatToken(lobby.arn, { userId, role: 'viewer' }),
    });
    room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
    const seen = {
      messages: [] as ChatMessage[],
      deletions: [] as DeleteMessageEvent[],
      warnings: [] as string[],
    };
    room.addListener('message', (message) => seen.messages.push(message));
    room.addListener('messageDelete', (event) => seen.deletions.push(event));
    room.addListener('event', (event) => seen.warnings.push(event.eventName));
    const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
    room.connect();
    rooms.push(room);
    await connected;
    return { room, seen };
  }

  it('deletes what floods past the limit and warns the flooder, as everyone in the room sees', async () => {
    const flooder = await join('flooder');
    const watcher = await join('watcher');
    const sent: string[] = [];
    for (let index = 0; index < 10; index++) {
      sent.push((await flooder.room.sendMessage(new SendMessageRequest(`look at me ${index}`))).id);
    }
    // The default policy allows 8 messages in 10 s: the 9th and 10th are deleted, with one warning.
    await vi.waitFor(
      () =>
        expect(watcher.seen.deletions.map((deletion) => deletion.messageId).sort()).toEqual(
          sent.slice(8).sort(),
        ),
      {
        timeout: 10_000,
      },
    );
    expect(watcher.seen.warnings).toContain('app:moderation-warning');
    expect(flooder.seen.deletions).toHaveLength(2);
  }, 20_000);

  it('times out a flooder who keeps going: review then refuses their messages, naming the timeout', async () => {
    const flooder = await join('persistent');
    // The room's rate limit (10 a second) counts the whole room: let the last test's messages age out.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another limit's worth of flood (18 messages in 10 s, under the room's rate limit) earns the second strike.
    for (let index = 0; index < 18; index++) {
      await flooder.room.sendMessage(new SendMessageRequest(`again ${index}`));
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    // Review caches "no sanction" for up to 5 s, so the timeout reaches it within that.
    await vi.waitFor(
      async () => {
        const refusal = await flooder.room.sendMessage(new SendMessageRequest('let me talk')).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refusal).toMatchObject({
          errorCode: 406,
          errorMessage: expect.stringMatching(/^You are timed out until/),
        });
      },
      { timeout: 12_000, interval: 1_000 },
    );
  }, 30_000);
});
