import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

const strict = compilePolicy(loadPolicyFile(path.resolve(__dirname, '../../../config/policies/strict.yaml')));
const verdicts = (text: string) => ({
  default: evaluateMessage(text, {}, defaultPolicy).verdict,
  strict: evaluateMessage(text, {}, strict).verdict,
});

describe('the shipped strict policy', () => {
  it.each([
    ['a link', 'check out example.com for free skins'],
    ['a mild swear', 'this is damn good'],
    ['a swear the default masks', 'what the fuck'],
    ['shouting', 'HELLO EVERYONE IN HERE'],
    ['a stretched word', 'sooooooooo good'],
  ])('denies %s, which the default policy lets through', (_what, text) => {
    expect(verdicts(text)).toMatchObject({ strict: 'deny' });
    expect(verdicts(text).default).not.toBe('deny');
  });

  it('gives the link rule’s reason', () => {
    expect(evaluateMessage('see https://example.com', {}, strict)).toMatchObject({
      verdict: 'deny',
      ruleId: 'links',
      reason: 'Links are not allowed in this chat.',
    });
  });

  it('still allows ordinary chat', () => {
    for (const text of ['good game everyone', 'I like cocktails', 'see you at 8 p.m.', 'gg wp :)']) {
      expect(verdicts(text)).toEqual({ default: 'allow', strict: 'allow' });
    }
  });

  it('exempts moderators like the default policy', () => {
    expect(evaluateMessage('see example.com', { role: 'moderator' }, strict).verdict).toBe('allow');
  });
});
