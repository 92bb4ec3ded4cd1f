import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChatEvent } from 'amazon-ivs-chat-messaging';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';
import { HOLD_REASON, holdingPolicy } from '../helpers/holding-policy.js';

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

describe('held messages through the local stack: a hold rule keeps a message back until a moderator approves it', () => {
  let stack: RunningStack;
  let dataDirectory: string;
  let roomArn = '';
  const rooms: ChatRoom[] = [];

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-held-'));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    stack = await startStack({
      dataDirectory,
      chatLogDelayMs: 100,
      policyFile: await holdingPolicy(dataDirectory),
    });
    roomArn = stack.rooms.get('lobby')?.arn ?? '';
  });
  afterAll(async () => {
    for (const room of rooms) room.disconnect();
    await stack?.stop();
    vi.unstubAllEnvs();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  const api = async (method: string, apiPath: string, body?: unknown) => {
    const response = await fetch(new URL(`api${apiPath}`, stack.webUrl), {
      method,
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  async function join(userId: string) {
    const room = new ChatRoom({
      regionOrUrl: stack.messagingUrl,
      tokenProvider: () => stack.createChatToken(roomArn, { userId, role: 'viewer' }),
    });
    room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
    const events: ChatEvent[] = [];
    room.addListener('event', (event) => events.push(event));
    const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
    room.connect();
    rooms.push(room);
    await connected;
    return { room, events };
  }

  it('refuses the sender with the hold reason, lists the message, and delivers it to the room when approved', async () => {
    const sender = await join('linker');
    const watcher = await join('watcher');
    const refusal = await sender.room.sendMessage(new SendMessageRequest('slides at example.com/deck')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({ errorCode: 406, errorMessage: HOLD_REASON });

    const held = await api('GET', `/moderation/held?roomArn=${encodeURIComponent(roomArn)}`);
    expect(held).toMatchObject({
      status: 200,
      body: {
        messages: [
          {
            userId: 'linker',
            content: 'slides at example.com/deck',
            ruleIds: ['held-links'],
            reason: HOLD_REASON,
          },
        ],
      },
    });
    const messageId =
      typeof held.body === 'object' &&
      held.body !== null &&
      'messages' in held.body &&
      Array.isArray(held.body.messages)
        ? String(held.body.messages[0]?.messageId)
        : '';

    expect(await api('POST', '/moderation/approve', { roomArn, messageId })).toMatchObject({
      status: 200,
      body: { audit: { action: 'approve', messageId, userId: 'linker' } },
    });
    await vi.waitFor(() =>
      expect(watcher.events).toContainEqual(
        expect.objectContaining({
          eventName: 'app:approved-message',
          attributes: { messageId, userId: 'linker', content: 'slides at example.com/deck' },
        }),
      ),
    );
    expect(await api('GET', `/moderation/held?roomArn=${encodeURIComponent(roomArn)}`)).toMatchObject({
      body: { messages: [] },
    });
    expect(await api('POST', '/moderation/reject', { roomArn, messageId })).toMatchObject({
      status: 404,
      body: { error: 'not-held' },
    });
  }, 60_000);
});
