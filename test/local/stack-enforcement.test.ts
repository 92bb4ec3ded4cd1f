import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  ChatMessage,
  DeleteMessageEvent,
  DisconnectReason,
  DisconnectUserEvent,
} from 'amazon-ivs-chat-messaging';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_POLICY_FILE } from '../../build/review-policy-plugin.js';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';

/** A timeout this long ends within the test, and still outlasts review's 5 s cache of "no sanction". */
const TIMEOUT_SECONDS = 15;

/** The shipped policy with a short timeout, so the ladder's next step (disconnect) is reachable in a test. */
async function quickLadderPolicy(directory: string): Promise<string> {
  const shipped = await readFile(DEFAULT_POLICY_FILE, 'utf8');
  const quick = shipped.replace(
    '{ strikes: 2, action: timeout, minutes: 10 }',
    `{ strikes: 2, action: timeout, seconds: ${TIMEOUT_SECONDS} }`,
  );
  if (quick === shipped) throw new Error('the shipped ladder changed: update this test');
  const file = path.join(directory, 'quick-ladder.yaml');
  await writeFile(file, quick);
  return file;
}

/**
 * Settles when the send does or when the sender is disconnected: the official client never settles a send
 * the server disconnected it before answering, and that hung this test until its limit.
 */
function sendUnlessDisconnected(room: ChatRoom, content: string): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = room.addListener('disconnect', () => resolve());
    room
      .sendMessage(new SendMessageRequest(content))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        unsubscribe();
        resolve();
      });
  });
}

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

describe('the local stack enforces the policy after delivery, from the chat logs', () => {
  let stack: RunningStack;
  let dataDirectory: string;
  const rooms: ChatRoom[] = [];

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-enforcement-'));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    stack = await startStack({
      dataDirectory,
      chatLogDelayMs: 100,
      policyFile: await quickLadderPolicy(dataDirectory),
    });
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
      disconnects: [] as DisconnectReason[],
      userDisconnects: [] as DisconnectUserEvent[],
    };
    room.addListener('message', (message) => seen.messages.push(message));
    room.addListener('messageDelete', (event) => seen.deletions.push(event));
    room.addListener('event', (event) => seen.warnings.push(event.eventName));
    room.addListener('disconnect', (reason) => seen.disconnects.push(reason));
    room.addListener('userDisconnect', (event) => seen.userDisconnects.push(event));
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

  let persistent: Awaited<ReturnType<typeof join>> | undefined;

  it('times out a flooder who keeps going: review then refuses their messages, naming the timeout', async () => {
    const flooder = await join('persistent');
    persistent = flooder;
    // The room's rate limit (10 a second) counts the whole room: let the last test's messages age out.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another limit's worth of flood (18 messages in 10 s, under the room's rate limit) earns the second strike.
    for (let index = 0; index < 18; index++) {
      await flooder.room.sendMessage(new SendMessageRequest(`again ${index}`));
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    // Review caches "no sanction" for up to 5 s, so the timeout reaches it within that. Each probe says
    // something new: four of one text would be a run of repeats, a third strike and a disconnect.
    let probes = 0;
    await vi.waitFor(
      async () => {
        probes++;
        const refusal = await flooder.room.sendMessage(new SendMessageRequest(`let me talk ${probes}`)).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refusal).toMatchObject({
          errorCode: 406,
          errorMessage: expect.stringMatching(/^You are timed out until/),
        });
      },
      { timeout: 15_000, interval: 1_500 },
    );
  }, 30_000);

  it('disconnects the flooder who floods again once the timeout is over, telling the room why', async () => {
    const flooder = persistent;
    if (flooder === undefined) throw new Error('the timeout test did not run');
    const watcher = await join('bystander');
    // The timeout ends by itself: review lets the user talk again.
    await vi.waitFor(
      async () => {
        await flooder.room.sendMessage(new SendMessageRequest('am I back?'));
      },
      { timeout: (TIMEOUT_SECONDS + 10) * 1_000, interval: 1_000 },
    );
    expect(flooder.seen.disconnects).toEqual([]);
    // The flood window (10 s) has passed since the last flood: one more limit's worth (with the message above)
    // is the third strike. The disconnect can land while the flood is still going.
    for (let index = 0; index < 10 && flooder.room.state === 'connected'; index++) {
      await sendUnlessDisconnected(flooder.room, `still here ${index}`);
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    await vi.waitFor(() => expect(flooder.seen.disconnects).toEqual(['serverDisconnect']), {
      timeout: 10_000,
    });
    expect(watcher.seen.userDisconnects).toEqual([
      expect.objectContaining({ userId: 'persistent', reason: 'Too many messages' }),
    ]);
    expect(watcher.room.state).toBe('connected');
    // Its waits are bounded (25 s for the timeout to end, 10 s for the disconnect): room for a busy CI machine.
  }, 60_000);
});
