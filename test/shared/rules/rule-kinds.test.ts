import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, PolicyFileError } from '../../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { compileRegex } from '../../../shared/rules/linear-regex.js';
import { REPO_ROOT } from '../../helpers/run-command.js';

const fixture = (name: string) => path.join(REPO_ROOT, 'test/fixtures/policies', name);
const document = loadPolicyFile(fixture('every-kind.yaml'));
const policy = compilePolicy(document, { compileRegex });
const verdictOf = (content: string) => evaluateMessage(content, {}, policy);
const deniedBy = (content: string) => {
  const decision = verdictOf(content);
  return decision.verdict === 'deny' ? decision.ruleId : decision.verdict;
};

describe('rule kinds beyond terms', () => {
  it('leaves ordinary chat alone under every rule kind', () => {
    for (const content of [
      'hello there, how is everyone doing tonight?',
      'GG WP', // too few letters to count as shouting
      'see you at 10 a.m. ok',
      'i love node.js and the dot com era',
      'nice play @streamer 🔥🔥',
      'wow!!! that was close',
      'catch the vod on twitch.tv/somebody or youtube.com/watch?v=abc',
    ]) {
      expect(verdictOf(content), content).toMatchObject({ verdict: 'allow', matches: [] });
    }
  });

  it('regex: masks exactly the match in the original text, with RE2 semantics on the normalized text', () => {
    expect(verdictOf('call me 555 123 4567 ok')).toMatchObject({
      verdict: 'mask',
      content: 'call me *** *** **** ok', // spaces inside a masked span stay
      matches: [
        { ruleId: 'phone-numbers', term: String.raw`\b\d{3}[ .-]?\d{3}[ .-]?\d{4}\b`, start: 8, end: 20 },
      ],
    });
    // Fullwidth digits normalize to ASCII ones, so the pattern sees them; the mask covers the original characters.
    expect(verdictOf('５５５-１２３-４５６７')).toMatchObject({ verdict: 'mask', content: '************' });
  });

  it('regex: a case-sensitive pattern on the original text sees the text as sent', () => {
    expect(deniedBy('use CODE-ABCD now')).toBe('shouted-codes');
    expect(deniedBy('use code-abcd now')).toBe('allow');
  });

  it('regex: a pattern that backtracks catastrophically elsewhere runs in linear time here', () => {
    const search = compileRegex('(a+)+$', false);
    // A backtracking engine takes about 2^500 steps on this input; RE2 takes one pass.
    expect(search(`${'a'.repeat(500)}!`)).toEqual([]);
    expect(search('aaa')).toEqual([{ start: 0, end: 3 }]);
  });

  it('links: plain, with a scheme, and disguised, except allowed domains and their subdomains', () => {
    expect(deniedBy('free skins at skins-4-you.com')).toBe('links');
    expect(deniedBy('go to https://evil.example/path')).toBe('links');
    expect(deniedBy('visit example dot com now')).toBe('links');
    expect(deniedBy('visit example[.]net now')).toBe('links');
    expect(deniedBy('ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('links');
    expect(deniedBy('clips at clips.twitch.tv/abc and www.youtube.com')).toBe('allow');
    expect(verdictOf('see evil.com')).toMatchObject({
      matches: [{ ruleId: 'links', term: 'evil.com', start: 4, end: 12 }],
    });
  });

  it('caps: a mostly capital message with enough letters', () => {
    expect(deniedBy('WHY IS NOBODY LISTENING TO ME')).toBe('caps');
    expect(verdictOf('WHY IS NOBODY LISTENING TO ME')).toMatchObject({
      matches: [{ ruleId: 'caps', term: 'caps 24/24 letters', start: 0, end: 29 }],
    });
    expect(deniedBy('Why is nobody LISTENING to me')).toBe('allow');
  });

  it('symbols, repeated characters, mentions, emoji and length', () => {
    expect(deniedBy('#$%&*#$%&*!!ab')).toBe('symbols');
    expect(deniedBy('nooooooooo way')).toBe('repeats');
    expect(deniedBy('noooooo way')).toBe('allow');
    expect(deniedBy('@a @b @c @d hi')).toBe('mentions');
    expect(deniedBy('@a @b @c hi')).toBe('allow');
    // A family (ZWJ sequence), a flag and a skin-toned thumb count once each: 2 + 1 + 1 + 1 = 5, the maximum.
    expect(deniedBy('😂😂 👨‍👩‍👧 🇫🇷 👍🏽')).toBe('allow');
    expect(deniedBy('😂😂 👨‍👩‍👧 🇫🇷🇩🇪 👍🏽')).toBe('emoji');
    expect(deniedBy('word '.repeat(41))).toBe('length');
  });

  it('picks the most severe denying rule when several apply, and reports them all', () => {
    const decision = verdictOf('SLURWORD AT EVIL.COM RIGHT NOW!!!!!!!!');
    expect(decision).toMatchObject({ verdict: 'deny', ruleId: 'slurs' });
    expect(decision.matches.map((match) => match.ruleId).sort()).toEqual([
      'caps',
      'links',
      'repeats',
      'slurs',
    ]);
  });

  it('needs a regex engine to compile a policy with regex rules', () => {
    expect(() => compilePolicy(document)).toThrow(/has regex rules but no regex engine was given/);
  });

  it('validates every kind with precise errors', () => {
    let message = '';
    try {
      loadPolicyFile(fixture('invalid-kinds.yaml'));
    } catch (error) {
      if (error instanceof PolicyFileError) message = error.message;
    }
    const lines = message.split('\n').map((line) => line.replace(/^.*invalid-kinds\.yaml:/, ''));
    expect(lines).toEqual([
      expect.stringMatching(
        /^9:\d+: rules\[0\]\.patterns\[0\]: invalid pattern .*invalid escape sequence.*RE2 syntax/,
      ),
      expect.stringMatching(/^9:\d+: rules\[0\]\.patterns\[1\]: invalid pattern .*unsupported Perl syntax/),
      '12:13: rules[1].action: a caps rule judges the whole message and can only deny; mask is for terms, regex, links rules',
      '15:15: rules[1].maxRatio: must be a number from 0 to 1 (got 1.5)',
      '16:17: rules[1].minLetters: must be a whole number from 1 to 10000 (got 2.5)',
      expect.stringMatching(
        /^22:\d+: rules\[2\]\.allowedDomains\[0\]: "co\.uk": "co\.uk" is a public suffix/,
      ),
      expect.stringMatching(/^22:\d+: rules\[2\]\.allowedDomains\[1\]: "10\.0\.0\.1": an IP address/),
      expect.stringMatching(
        /^23:\d+: rules\[2\]\.terms: unknown key; expected one of: .*allowedDomains, obfuscated$/,
      ),
      expect.stringMatching(
        /^25:\d+: rules\[3\]\.kind: must be one of terms, regex, links, caps, .* \(got "colours"\)$/,
      ),
    ]);
  });

  it('fills each threshold with its default', () => {
    expect(document.rules.find((rule) => rule.kind === 'caps')).toMatchObject({
      maxRatio: 0.7,
      minLetters: 10,
    });
    expect(document.rules.find((rule) => rule.kind === 'links')).toMatchObject({
      allowedDomains: ['twitch.tv', 'youtube.com'],
      obfuscated: true,
    });
  });
});
