import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, PolicyFileError, parsePolicy } from '../../../shared/policy/load-policy-file.js';
import { DEFAULT_ENFORCEMENT } from '../../../shared/policy/validate-policy.js';
import { DEFAULT_POLICY_PATH } from '../../helpers/default-policy.js';

const INVALID = path.resolve(__dirname, '../../fixtures/policies/invalid.yaml');

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyFileError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a PolicyFileError');
}

const MINIMAL = `version: 1
name: minimal
rules:
  - id: words
    kind: terms
    action: mask
    severity: low
    reason: No.
    terms: [heck]
`;

describe('loading a policy file', () => {
  it('loads the shipped default policy with the LDNOOBW lexicon expanded and exclusions applied', () => {
    const policy = loadPolicyFile(DEFAULT_POLICY_PATH);
    const profanity = policy.rules.find((rule) => rule.id === 'profanity');
    const terms = profanity?.kind === 'terms' ? profanity.terms : [];
    expect(terms).toContain('2g1c');
    expect(terms).not.toContain('sucks');
    expect(policy.exemptions).toEqual([{ senderAttribute: 'role', values: ['moderator', 'broadcaster'] }]);
    expect(policy.settings).toMatchObject({ stretchedLetters: true, leetspeak: true });
  });

  it('reads every setting a policy may give', () => {
    const settings =
      'settings:\n  maskCharacter: "#"\n  maxContentLength: 200\n  stretchedLetters: true\n  leetspeak: true\n';
    expect(parsePolicy(`${MINIMAL}${settings}`, 'settings.yaml').settings).toEqual({
      maskCharacter: '#',
      maxContentLength: 200,
      stretchedLetters: true,
      leetspeak: true,
    });
  });

  it('fills defaults for optional sections', () => {
    expect(parsePolicy(MINIMAL, 'minimal.yaml')).toEqual({
      version: 1,
      name: 'minimal',
      settings: { maskCharacter: '*', maxContentLength: 4096, stretchedLetters: false, leetspeak: false },
      exemptions: [],
      allow: [],
      rules: [
        {
          id: 'words',
          kind: 'terms',
          action: 'mask',
          severity: 'low',
          reason: 'No.',
          terms: ['heck'],
          allow: [],
          exemptions: [],
        },
      ],
      enforcement: DEFAULT_ENFORCEMENT,
    });
  });

  it('reports every problem with file, line, column, path and what is wrong', () => {
    expect(
      issuesOf(() => loadPolicyFile(INVALID)).map((line) => line.replace(INVALID, 'invalid.yaml')),
    ).toEqual([
      'invalid.yaml:6:13: rules[0].action: must be one of deny, hold, mask (got "block")',
      'invalid.yaml:11:9: rules[0].terms[1]: invalid term "sh*t": "*" is allowed only at the start or end of a term',
      'invalid.yaml:12:9: rules[1].id: duplicate rule id "profanity"',
      'invalid.yaml:15:15: rules[1].severity: must be one of low, medium, high (got "extreme")',
      'invalid.yaml:16:13: rules[1].reason: must be 1 to 256 characters long (got 0)',
      'invalid.yaml:17:13: rules[1].colour: unknown key; expected one of: id, kind, action, severity, reason, exemptions, terms, lexicons, allow',
      'invalid.yaml:21:19: rules[1].lexicons[0].exclude[0]: "not-a-listed-word" is not in this lexicon',
    ]);
  });

  it.each([
    ['a YAML syntax error', 'rules: [unclosed', /^p\.yaml:1:\d+: \(syntax\): /],
    ['a duplicate key', 'version: 1\nversion: 1\n', /^p\.yaml:2:1: \(syntax\): Map keys must be unique/],
    [
      'a document that is not a mapping',
      '- a\n- b\n',
      /^p\.yaml:1:1: \(document\): must be a mapping \(got a list\)$/,
    ],
    ['an empty document', '', /^p\.yaml: \(document\): must be a mapping \(got null\)$/],
    [
      'a wrong version',
      MINIMAL.replace('version: 1', 'version: 2'),
      /^p\.yaml:1:10: version: must be 1 \(got 2\)$/,
    ],
    [
      'no rules',
      'version: 1\nname: x\nrules: []\n',
      /^p\.yaml:3:8: rules: must be a non-empty list of rules$/,
    ],
    [
      'an unknown lexicon',
      MINIMAL.replace('terms: [heck]', 'lexicons: [{source: nope, language: en}]'),
      /lexicons\[0\]: unknown lexicon "nope" language "en"$/,
    ],
    [
      'a multi-character mask',
      `${MINIMAL}settings: {maskCharacter: '##'}\n`,
      /settings\.maskCharacter: must be exactly one visible character$/,
    ],
    [
      'an exemption without values',
      `${MINIMAL}exemptions: [{senderAttribute: role}]\n`,
      /exemptions\[0\]\.values: must be a list of 1 to 50 strings$/,
    ],
    [
      'a bad rule id',
      MINIMAL.replace('id: words', 'id: Bad_Id'),
      /rules\[0\]\.id: must be lowercase letters/,
    ],
  ])('rejects %s', (_name, text, expected) => {
    const [first] = issuesOf(() => parsePolicy(text, 'p.yaml'));
    expect(first).toMatch(expected);
  });

  it('bounds the total size of the terms', () => {
    const many = Array.from({ length: 2_100 }, (_, index) => `      - ${'w'.repeat(95)}${index}`).join('\n');
    const text = `version: 1\nname: big\nrules:\n  - id: big\n    kind: terms\n    action: mask\n    severity: low\n    reason: No.\n    terms:\n${many}\n`;
    expect(issuesOf(() => parsePolicy(text, 'big.yaml'))[0]).toMatch(
      /rules: terms and allow entries total \d+ characters; at most 200000$/,
    );
  });

  it('refuses alias expansion bombs', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
`;
    expect(issuesOf(() => parsePolicy(bomb, 'bomb.yaml'))[0]).toMatch(/^bomb\.yaml: \(document\): .*alias/i);
  });

  it('names a missing file', () => {
    expect(issuesOf(() => loadPolicyFile('/nonexistent/policy.yaml'))[0]).toMatch(
      /^\/nonexistent\/policy\.yaml: \(file\): cannot read: ENOENT/,
    );
  });
});
