import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../local/ivschat/chat-state.js';
import type { TokenRequest } from '../../local/web-server.js';
import { startWebServer } from '../../local/web-server.js';

const issueToken = vi.fn(async ({ userId }: TokenRequest) => ({
  token: `token-for-${userId}`,
  tokenExpirationTime: new Date('2030-01-01T00:00:00Z'),
}));
let server: RunningServer;

beforeAll(async () => {
  server = await startWebServer({ messagingUrl: 'ws://127.0.0.1:1', roomName: 'lobby', issueToken });
});
afterAll(async () => {
  await server.close();
});

const postToken = (body: string) =>
  fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('startWebServer', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the page, its script, its config and the chat client library bundled for the browser', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/app.mjs">');

    const script = await (await fetch(`${server.url}/app.mjs`)).text();
    expect(script).toContain("from '/vendor/amazon-ivs-chat-messaging.js'");

    const client = await fetch(`${server.url}/vendor/amazon-ivs-chat-messaging.js`);
    expect(client.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await client.text();
    // An ES module with no bare imports left (the browser could not resolve `uuid`).
    expect(source).toMatch(/export\s*\{[^}]*\bChatRoom\b/);
    expect(source).not.toMatch(/from\s*["'](?![./])/);

    expect(await (await fetch(`${server.url}/config.json`)).json()).toEqual({
      messagingUrl: 'ws://127.0.0.1:1',
      roomName: 'lobby',
    });
  });

  it('serves the moderator view, and names the room ARN in config.json when given one', async () => {
    const page = await fetch(`${server.url}/moderate`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/moderate.mjs">');
    const script = await fetch(`${server.url}/moderate.mjs`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("from '/vendor/amazon-ivs-chat-messaging.js'");

    const roomArn = 'arn:aws:ivschat:us-east-1:123456789012:room/AbCdEfGhIjKl';
    const withArn = await startWebServer({
      messagingUrl: 'ws://127.0.0.1:1',
      roomName: 'lobby',
      roomArn,
      issueToken,
    });
    try {
      expect(await (await fetch(`${withArn.url}/config.json`)).json()).toEqual({
        messagingUrl: 'ws://127.0.0.1:1',
        roomName: 'lobby',
        roomArn,
      });
    } finally {
      await withArn.close();
    }
  });

  it('issues a token through the backend stand-in, viewer by default', async () => {
    const response = await postToken(JSON.stringify({ userId: 'alice' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      token: 'token-for-alice',
      tokenExpirationTime: '2030-01-01T00:00:00.000Z',
    });
    expect(issueToken).toHaveBeenLastCalledWith({ userId: 'alice', role: 'viewer' });
    await postToken(JSON.stringify({ userId: 'mod_sam', role: 'moderator' }));
    expect(issueToken).toHaveBeenLastCalledWith({ userId: 'mod_sam', role: 'moderator' });
  });

  it.each([
    ['not JSON', 'nope', 400],
    ['no userId', '{}', 400],
    ['a userId with spaces', '{"userId":"a b"}', 400],
    ['an unknown role', '{"userId":"a","role":"admin"}', 400],
    ['a body over 4 KB', JSON.stringify({ userId: 'a', pad: 'x'.repeat(5_000) }), 413],
  ])('answers %s with %i and a message, issuing nothing', async (_name, body, status) => {
    issueToken.mockClear();
    const response = await postToken(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message: expect.any(String) });
    expect(issueToken).not.toHaveBeenCalled();
  });

  it('answers a failing backend with 500, and unknown routes with 404', async () => {
    issueToken.mockRejectedValueOnce(new Error('ResourceNotFoundException'));
    expect((await postToken('{"userId":"a"}')).status).toBe(500);
    expect((await fetch(`${server.url}/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/token`)).status).toBe(404);
  });
});
