import { describe, expect, it } from 'vitest';
import { findLinks, isAllowedHost } from '../../../shared/rules/find-links.js';

const hosts = (text: string, obfuscated = true) => findLinks(text, obfuscated).map((link) => link.host);

describe('findLinks (on normalized, lower-case text)', () => {
  it('finds links with a scheme or www. whatever their ending, and bare ones ending in a top-level domain', () => {
    expect(hosts('see https://intranet.corp/x and www.example.anything')).toEqual([
      'intranet.corp',
      'example.anything',
    ]);
    expect(hosts('free stuff at skins-4-you.com and bit.ly/abc')).toEqual(['skins-4-you.com', 'bit.ly']);
    expect(hosts('sub.example.co.uk')).toEqual(['sub.example.co.uk']);
  });

  it('reads disguised dots only when asked', () => {
    const disguised = 'example dot com, example [.] net, example(dot)org, example . io';
    expect(hosts(disguised)).toEqual(['example.com', 'example.net', 'example.org', 'example.io']);
    expect(hosts(disguised, false)).toEqual([]);
  });

  it('leaves chat that only looks like hosts alone', () => {
    for (const text of [
      'see you at 10 a.m. or 3 p.m.',
      'e.g. this, i.e. that',
      'node.js and vue.js',
      'ok.so what now',
      'that was great.now what',
      'version 1.2.3 is out',
      'the dot com bubble',
      'mail me@example.com',
      'hello.world',
    ]) {
      expect(hosts(text), text).toEqual([]);
    }
  });

  it('gives spans in the text it read', () => {
    expect(findLinks('go to evil.com now', true)).toEqual([{ start: 6, end: 14, host: 'evil.com' }]);
  });
});

describe('isAllowedHost', () => {
  it('allows a domain and its subdomains, not look-alike neighbours', () => {
    expect(isAllowedHost('twitch.tv', ['twitch.tv'])).toBe(true);
    expect(isAllowedHost('clips.twitch.tv', ['twitch.tv'])).toBe(true);
    expect(isAllowedHost('eviltwitch.tv', ['twitch.tv'])).toBe(false);
    expect(isAllowedHost('twitch.tv.evil.com', ['twitch.tv'])).toBe(false);
  });
});
