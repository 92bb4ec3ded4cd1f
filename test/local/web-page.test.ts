import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';

/** Debian's chromium package; .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium';
const SLUR_REASON = 'Your message was not sent because it contains a slur.';

describe('the web page, in headless Chromium', () => {
  let stack: RunningStack;
  let browser: Browser;
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'web-page-'));
    stack = await startStack({ port: 0, dataDirectory, chatLogDelayMs: 50 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  async function join(userId: string, role: 'viewer' | 'moderator'): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(stack.webUrl);
    await page.fill('#user-id', userId);
    await page.selectOption('#role', role);
    await page.click('#join button');
    await page.waitForSelector(`#status:has-text("Connected as ${userId}")`);
    return page;
  }

  async function send(page: Page, content: string): Promise<void> {
    await page.fill('#content', content);
    await page.click('#send button');
  }

  it('shows a masked message masked, a denied one with its reason, and a moderator’s deletion', async () => {
    const alice = await join('alice', 'viewer');
    const moderator = await join('mod_sam', 'moderator');

    await send(alice, 'that boss fight was fucking amazing');
    const masked = moderator.locator('li.message.masked', { hasText: 'that boss fight was ******* amazing' });
    await masked.waitFor();
    expect(await masked.locator('.badge').textContent()).toBe('masked: profanity');
    await alice.locator('li.message.masked', { hasText: '*******' }).waitFor();
    expect(await alice.locator('#messages').textContent()).not.toContain('fucking');

    await send(alice, 'you are all a bunch of faggots');
    const denied = alice.locator('li.denied');
    await denied.waitFor();
    expect(await denied.locator('.badge').textContent()).toContain(SLUR_REASON);
    // Nobody else sees a denied message.
    expect(await moderator.locator('#messages').textContent()).not.toContain('faggots');

    await send(alice, 'buy followers at my site');
    await moderator.locator('li.message', { hasText: 'buy followers' }).locator('button').click();
    const deleted = alice.locator('li.message.deleted', { hasText: 'buy followers' });
    await deleted.waitFor();
    expect(await deleted.locator('.badge').last().textContent()).toBe('deleted: removed by a moderator');
  });

  it('logs the delivered messages to the lobby’s CloudWatch Logs log stream', async () => {
    await stack.chatLogging.flush();
    const lobby = stack.rooms.get('lobby');
    const file = path.join(
      dataDirectory,
      'cloudwatch-logs',
      '_ivs-chat-moderation_local_chat',
      `aws_IVSChatLogs_1.0_room_${lobby?.id}.log`,
    );
    const records = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toContainEqual(
      expect.objectContaining({
        type: 'MESSAGE',
        payload: expect.objectContaining({ Content: 'that boss fight was ******* amazing' }),
      }),
    );
  });
});
