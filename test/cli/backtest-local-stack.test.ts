import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';
import { REPO_ROOT, runCommand } from '../helpers/run-command.js';

/**
 * The "done when": a backtest over an archive the local stack wrote reports the differences between two
 * policies correctly. Known messages go through the official client into a room logging to S3 (the stack writes
 * the bucket to a folder in IVS's layout), then `ivs-mod backtest` replays that folder, shipped policy → strict.
 */

const BUCKET = 'chat-archive';
const STRICT = path.join(REPO_ROOT, 'config/policies/strict.yaml');

// Node 20 has no global WebSocket; the official client needs one.
Object.assign(globalThis, { WebSocket });

const ROOMS_FILE = `loggingConfigurations:
  - name: archive
    destinationConfiguration:
      s3:
        bucketName: ${BUCKET}
rooms:
  - name: lobby
    maximumMessageLength: 500
    maximumMessageRatePerSecond: 10
    messageReviewHandler:
      function: reviewMessage
      fallbackResult: ALLOW
    loggingConfigurations: [archive]
`;

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

describe('ivs-mod backtest over an archive written by the local stack', () => {
  let dataDirectory: string;
  let stack: RunningStack | undefined;
  const sent = new Map<string, string>();
  const refused: string[] = [];
  let lobbyId = '';

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-backtest-'));
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    // The SDK's notice that releases after January 2027 need Node 22 is noise in a test's output.
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    const roomsFile = path.join(dataDirectory, 'rooms.yaml');
    await writeFile(roomsFile, ROOMS_FILE);
    stack = await startStack({ dataDirectory, roomsFile, chatLogDelayMs: 100 });
    const lobby = stack.rooms.get('lobby');
    if (lobby === undefined) throw new Error('no lobby');
    lobbyId = lobby.id;

    const join = async (userId: string, role: 'viewer' | 'moderator') => {
      const room = new ChatRoom({
        regionOrUrl: stack?.messagingUrl ?? '',
        tokenProvider: async () => {
          if (stack === undefined) throw new Error('the stack stopped');
          return stack.createChatToken(lobby.arn, { userId, role });
        },
      });
      room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
      const connected = new Promise<void>((resolve) => room.addListener('connect', () => resolve()));
      room.connect();
      await connected;
      return room;
    };
    const viewer = await join('viewer-1', 'viewer');
    const moderator = await join('moderator-1', 'moderator');
    const send = async (room: ChatRoom, content: string) => {
      try {
        sent.set(content, (await room.sendMessage(new SendMessageRequest(content))).id);
      } catch {
        refused.push(content);
      }
    };
    await send(viewer, 'hello there');
    await send(viewer, 'see example.com now');
    await send(viewer, 'damn it');
    await send(viewer, 'oh shit');
    await send(viewer, 'you are a faggot');
    await send(moderator, 'what the fuck');
    viewer.disconnect();
    moderator.disconnect();

    const bucket = path.join(dataDirectory, 's3', BUCKET);
    await vi.waitFor(async () => expect(await filesUnder(bucket)).not.toEqual([]), { timeout: 10_000 });
    // Stopping delivers whatever is still batched.
    await stack.stop();
    stack = undefined;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    vi.unstubAllEnvs();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('wrote the bucket in IVS layout, without the message review denied', async () => {
    expect(refused).toEqual(['you are a faggot']);
    const keys = await filesUnder(path.join(dataDirectory, 's3', BUCKET));
    for (const key of keys)
      expect(key.split(path.sep).join('/')).toMatch(
        /^AWSLogs\/\d{12}\/IVSChatLogs\/1\.0\/[a-z0-9-]+\/room_[A-Za-z0-9]+\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{12}_IVSChatLogs_1\.0_[a-z0-9-]+_room_[A-Za-z0-9]+_.+\.log\.gz$/,
      );
  });

  it('reports what strict would change on that history', async () => {
    const { code, stdout, stderr } = await runCommand(process.execPath, [
      path.join(REPO_ROOT, 'cli/ivs-mod.cjs'),
      'backtest',
      '--archive',
      path.join(dataDirectory, 's3', BUCKET),
      '--policy',
      STRICT,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.objects).toMatchObject({ read: report.objects.listed, failed: 0 });
    expect(report.rooms).toEqual({ [lobbyId]: 5 });
    expect(report.invalid).toEqual({ count: 0, reasons: [] });
    // "oh shit" was masked at review: the log holds "oh ****", which neither policy acts on.
    expect(report.maskedContent).toBe(1);
    expect(report.comparison).toMatchObject({
      messages: 5,
      changed: 2,
      transitions: {
        ALLOW: { ALLOW: 3, 'ALLOW-masked': 0, DENY: 2 },
        'ALLOW-masked': { ALLOW: 0, 'ALLOW-masked': 0, DENY: 0 },
        DENY: { ALLOW: 0, 'ALLOW-masked': 0, DENY: 0 },
      },
    });
    expect(report.comparison.rules).toEqual([
      {
        ruleId: 'links',
        changes: {
          'newly-denies': {
            count: 1,
            examples: [
              {
                messageId: sent.get('see example.com now'),
                roomId: lobbyId,
                sendTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/),
                text: 'see «example.com» now',
                matched: 'example.com',
                before: 'ALLOW',
                after: 'DENY',
              },
            ],
          },
        },
      },
      {
        ruleId: 'profanity',
        changes: {
          'newly-denies': {
            count: 1,
            examples: [expect.objectContaining({ messageId: sent.get('damn it'), text: '«damn» it' })],
          },
        },
      },
    ]);
  });
});
