import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintOf } from '../../../shared/enforcement/user-activity.js';
import { normalizeTransient } from '../../../shared/normalization/normalize.js';
import type { PolicyDocument } from '../../../shared/policy/policy-document.js';
import { DEFAULT_ENFORCEMENT } from '../../../shared/policy/validate-policy.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage, evaluateNormalized, mask } from '../../../shared/rules/evaluate.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

const viewer = { role: 'viewer' };

describe('evaluateMessage with the default policy', () => {
  it.each([
    'hello there',
    'Scunthorpe United won',
    'cocktail hour',
    'the grapes of wrath',
    'analysis and assessment',
    'Kung-Fu Panda',
    'shiitake or shitake mushrooms',
    'vehículo rápido',
    'Dick Van Dyke and Moby Dick',
    '142,460 points',
    'Привет всем',
    '你好世界',
    'https://example.com/path?q=1',
    'this game sucks',
    'gg 🎉🎉',
    'Alfred Hitchcock and a peacock',
  ])('allows clean chat: %j', (content) => {
    expect(evaluateMessage(content, viewer, defaultPolicy)).toEqual({ verdict: 'allow', matches: [] });
  });

  it.each([
    ['what the fuck', 'what the ****'],
    ['that was fucking amazing', 'that was ******* amazing'],
    ['ＦＵＣＫ this', '**** this'],
    ['fu\u200Bck off', '**** off'],
    ['f̸̡u̵c̷k that', '**** that'],
    ['Fück it', '**** it'],
    ['total bullshit, man', 'total ********, man'],
    ['big tits', '*** ****'],
    ['f.u.c.k off', '******* off'],
    ['s h i t', '* * * *'],
  ])('masks profanity in %j', (content, masked) => {
    const decision = evaluateMessage(content, viewer, defaultPolicy);
    expect(decision.verdict).toBe('mask');
    expect(decision.verdict === 'mask' && decision.content).toBe(masked);
  });

  it('denies a slur with the rule reason, even beside a masked word', () => {
    const decision = evaluateMessage('fuck you, faggot', viewer, defaultPolicy);
    expect(decision).toMatchObject({
      verdict: 'deny',
      ruleId: 'slurs',
      reason: 'Your message was not sent because it contains a slur.',
    });
    expect(decision.matches.map((match) => [match.ruleId, match.start, match.end])).toEqual(
      expect.arrayContaining([
        ['profanity', 0, 4],
        ['slurs', 10, 16],
      ]),
    );
  });

  it('reports match spans in the original text', () => {
    const content = 'ok ＦＵＣＫ';
    const [match] = evaluateMessage(content, viewer, defaultPolicy).matches;
    expect(match && content.slice(match.start, match.end)).toBe('ＦＵＣＫ');
  });

  it('exempts senders by server-minted attribute, reporting matches as exempt', () => {
    const decision = evaluateMessage('fuck this, faggot', { role: 'moderator' }, defaultPolicy);
    expect(decision.verdict).toBe('allow');
    expect(decision.matches.length).toBeGreaterThan(0);
    expect(decision.matches.every((match) => match.exempt)).toBe(true);
  });

  it('does not exempt on an attribute value outside the list or on inherited keys', () => {
    expect(evaluateMessage('fuck', { role: 'vip' }, defaultPolicy).verdict).toBe('mask');
    expect(evaluateMessage('fuck', {}, defaultPolicy).verdict).toBe('mask');
  });
});

const document: PolicyDocument = {
  version: 1,
  enforcement: DEFAULT_ENFORCEMENT,
  name: 'test',
  settings: { maskCharacter: '#', maxContentLength: 100, stretchedLetters: false, leetspeak: false },
  exemptions: [],
  allow: ['grass*'],
  rules: [
    {
      id: 'mild',
      kind: 'terms',
      action: 'deny',
      severity: 'low',
      reason: 'mild',
      terms: ['darn'],
      allow: [],
      exemptions: [],
    },
    {
      id: 'words',
      kind: 'terms',
      action: 'mask',
      severity: 'medium',
      reason: 'masked',
      terms: ['*ass*', 'heck'],
      allow: ['class*'],
      exemptions: [{ senderAttribute: 'role', values: ['vip'] }],
    },
    {
      id: 'severe',
      kind: 'terms',
      action: 'deny',
      severity: 'high',
      reason: 'severe',
      terms: ['gosh'],
      allow: [],
      exemptions: [],
    },
  ],
};
const policy = compilePolicy(document);

describe('evaluateMessage rule semantics', () => {
  it('lets policy-wide and rule allow lists win over the matches they cover', () => {
    expect(evaluateMessage('grassland classroom', {}, policy).verdict).toBe('allow');
    expect(evaluateMessage('badass', {}, policy)).toMatchObject({ verdict: 'mask', content: '######' });
  });

  it('takes the deny reason from the most severe denying rule', () => {
    expect(evaluateMessage('darn gosh', {}, policy)).toMatchObject({ verdict: 'deny', ruleId: 'severe' });
    expect(evaluateMessage('darn heck', {}, policy)).toMatchObject({ verdict: 'deny', ruleId: 'mild' });
  });

  it('applies a rule exemption to that rule only', () => {
    expect(evaluateMessage('heck', { role: 'vip' }, policy).verdict).toBe('allow');
    expect(evaluateMessage('heck darn', { role: 'vip' }, policy).verdict).toBe('deny');
  });

  it('never returns masked content longer than the input in code points', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constantFrom('heck', 'badass', ' ', 'ß', '\u200B', 'e\u0301', '🎉'), fc.string()),
          {
            maxLength: 20,
          },
        ),
        (parts) => {
          const content = parts.join('');
          const decision = evaluateMessage(content, {}, policy);
          if (decision.verdict === 'mask')
            expect([...decision.content].length).toBeLessThanOrEqual([...content].length);
        },
      ),
    );
  });
});

describe('mask', () => {
  it('keeps separators, drops invisible characters and marks inside a span', () => {
    expect(mask('x fu\u200Bc\u0301k y', [{ start: 2, end: 8 }], '*')).toBe('x **** y');
    expect(mask('a b', [{ start: 0, end: 3 }], '*')).toBe('* *');
  });

  it('merges overlapping spans', () => {
    expect(
      mask(
        'abcdef',
        [
          { start: 3, end: 5 },
          { start: 1, end: 4 },
        ],
        '*',
      ),
    ).toBe('a****f');
  });
});

describe('evaluateNormalized: one normalization shared with the duplicate fingerprint', () => {
  const content = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('fuck this', 'SH1T happens', 'f.u.c.k', 'visit evil.example.com now', 'hello there', ''),
  );

  it('decides as evaluateMessage does, and fingerprints as fingerprint() does', () => {
    fc.assert(
      fc.property(content, (text) => {
        const expected = evaluateMessage(text, viewer, defaultPolicy);
        const normalized = normalizeTransient(text, defaultPolicy.matcher.watch);
        const print = fingerprintOf(normalized);
        expect(evaluateNormalized(normalized, viewer, defaultPolicy)).toEqual(expected);
        expect(print).toBe(fingerprint(text));
      }),
      { numRuns: 500 },
    );
  });

  it('normalizes again when handed text normalized without the policy watch', () => {
    const text = 'f.u.c.k you';
    expect(evaluateNormalized(normalizeTransient(text), viewer, defaultPolicy)).toEqual(
      evaluateMessage(text, viewer, defaultPolicy),
    );
  });
});
