import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DisconnectReason } from 'amazon-ivs-chat-messaging';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RoomEvent } from '../../local/ivschat/chat-state.js';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

describe('moderator tools through the local stack: a ban holds across reconnects, and unban lifts it', () => {
  let stack: RunningStack;
  let dataDirectory: string;
  let roomArn = '';
  const roomEvents: RoomEvent[] = [];
  const rooms: ChatRoom[] = [];

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-moderation-'));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    stack = await startStack({ dataDirectory, chatLogDelayMs: 100 });
    roomArn = stack.rooms.get('lobby')?.arn ?? '';
    stack.state.onRoomEvent((event) => roomEvents.push(event));
  });
  afterAll(async () => {
    for (const room of rooms) room.disconnect();
    await stack?.stop();
    vi.unstubAllEnvs();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  const api = async (
    method: string,
    apiPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(new URL(`api${apiPath}`, stack.webUrl), {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const requestToken = (userId: string) =>
    api('POST', '/tokens', { roomArn, userId, attributes: { role: 'viewer' } });
  const moderate = (action: string, body: unknown, key = randomUUID()) =>
    api('POST', `/moderation/${action}`, body, { 'idempotency-key': key, 'x-moderator-name': 'Mod Alice' });

  async function connectWith(token: string) {
    const room = new ChatRoom({ regionOrUrl: stack.messagingUrl, tokenProvider: async () => ({ token }) });
    room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
    const disconnects: DisconnectReason[] = [];
    room.addListener('disconnect', (reason) => disconnects.push(reason));
    const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
    room.connect();
    rooms.push(room);
    await connected;
    return { room, disconnects };
  }
  const tokenOf = (response: { status: number; body: unknown }): string => {
    expect(response.status).toBe(200);
    const { body } = response;
    if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string') {
      throw new Error('no token in the answer');
    }
    return body.token;
  };
  const send = (room: ChatRoom, text: string) =>
    room.sendMessage(new SendMessageRequest(text)).then(
      () => 'delivered',
      (error: unknown) => error,
    );

  it('bans: disconnected now, no new token, an old token cannot send; unban restores all three; audited once each', async () => {
    const troll = await connectWith(tokenOf(await requestToken('troll')));
    expect(await send(troll.room, 'hello')).toBe('delivered');
    // A token the troll got before the ban and has not used yet.
    const spare = tokenOf(await requestToken('troll'));

    const banKey = randomUUID();
    const ban = await moderate('ban', { roomArn, userId: 'troll', reason: 'spam links' }, banKey);
    expect(ban).toMatchObject({
      status: 200,
      body: { duplicate: false, audit: { action: 'ban', userId: 'troll' } },
    });
    await vi.waitFor(() => expect(troll.disconnects).toEqual(['serverDisconnect']));
    expect(roomEvents).toContainEqual(
      expect.objectContaining({
        kind: 'event',
        eventName: 'app:moderation-action',
        attributes: expect.objectContaining({ action: 'ban', userId: 'troll' }),
      }),
    );

    expect(await requestToken('troll')).toMatchObject({
      status: 403,
      body: { error: 'banned', message: 'You are banned from this room: spam links' },
    });
    const old = await connectWith(spare);
    await vi.waitFor(
      async () =>
        expect(await send(old.room, 'let me back')).toMatchObject({
          errorCode: 406,
          errorMessage: expect.stringMatching(/banned/i),
        }),
      { timeout: 10_000, interval: 500 },
    );

    // The same request again (a client retry): nothing happens twice.
    const eventsBefore = roomEvents.length;
    expect(await moderate('ban', { roomArn, userId: 'troll', reason: 'spam links' }, banKey)).toMatchObject({
      status: 200,
      body: { duplicate: true },
    });
    expect(roomEvents.length).toBe(eventsBefore);

    expect(await moderate('unban', { roomArn, userId: 'troll', reason: 'appeal accepted' })).toMatchObject({
      status: 200,
      body: { audit: { action: 'unban' } },
    });
    const back = await connectWith(tokenOf(await requestToken('troll')));
    // Review trusts a found sanction for 10 s: the unban reaches it within that.
    await vi.waitFor(async () => expect(await send(back.room, 'sorry')).toBe('delivered'), {
      timeout: 15_000,
      interval: 1_000,
    });
    await vi.waitFor(
      async () => expect(await send(old.room, 'the old token works again')).toBe('delivered'),
      {
        timeout: 15_000,
        interval: 1_000,
      },
    );

    const audit = await api('GET', `/moderation/audit?roomArn=${encodeURIComponent(roomArn)}`);
    expect(audit).toMatchObject({
      status: 200,
      body: {
        entries: [
          {
            action: 'ban',
            userId: 'troll',
            reason: 'spam links',
            moderatorName: 'Mod Alice',
            requestId: banKey,
          },
          { action: 'unban', userId: 'troll', reason: 'appeal accepted' },
        ],
      },
    });
  }, 60_000);

  it('refuses unsigned, malformed and unkeyed moderator requests with the reason', async () => {
    expect(await api('POST', '/moderation/ban', { roomArn, userId: 'x', reason: 'r' })).toMatchObject({
      status: 400,
      body: { problems: [expect.stringContaining('Idempotency-Key')] },
    });
    expect(await moderate('ban', { roomArn: 'not-an-arn', userId: '', extra: 1 })).toMatchObject({
      status: 400,
      body: {
        problems: expect.arrayContaining([
          'extra: unknown field',
          'roomArn: not an IVS Chat room ARN',
          'reason: required, a string',
        ]),
      },
    });
    expect(await moderate('timeout', { roomArn, userId: 'x', reason: 'r', seconds: 0 })).toMatchObject({
      status: 400,
      body: { problems: [expect.stringContaining('seconds')] },
    });
    expect(await api('GET', '/moderation/ban')).toMatchObject({ status: 405 });
    expect(await requestToken('')).toMatchObject({ status: 400 });
  }, 30_000);
});
