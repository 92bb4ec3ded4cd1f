import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveDomain } from '../../shared/policy/domains.js';
import { resolveLexicon } from '../../shared/policy/lexicons.js';
import { PolicyFileError, parsePolicy } from '../../shared/policy/load-policy-file.js';
import { validatePolicy } from '../../shared/policy/validate-policy.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { evaluateMessage } from '../../shared/rules/evaluate.js';
import { checkRegex, compileRegex } from '../../shared/rules/linear-regex.js';
import {
  expectLocatedIssues,
  fuzzParameters,
  garbage,
  hostileJson,
  hostileString,
  nearValid,
  yamlText,
} from '../helpers/fuzz.js';

/**
 * The policy file: YAML text, then the document. Any text is a policy or a PolicyFileError listing every
 * problem with its place; a document the validator accepts always compiles and evaluates.
 */

const ROOT = path.resolve(__dirname, '../..');
const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const SERVICES = { resolveLexicon, checkRegex, resolveDomain };
const SMALL = [
  text('test/fixtures/policies/every-kind.yaml'),
  text('test/fixtures/policies/invalid.yaml'),
  `version: 1
name: small
settings: { maskCharacter: "#", maxContentLength: 500, leetspeak: true }
exemptions: [{ senderAttribute: role, values: [moderator] }]
allow: [scunthorpe]
rules:
  - { id: words, kind: terms, action: mask, severity: low, reason: Language., terms: ["c*nt", "sh*t", damn], allow: [damnation] }
  - { id: held, kind: terms, action: hold, severity: medium, reason: Held., terms: [holdme], exemptions: [{ senderAttribute: vip, values: ["yes"] }] }
enforcement:
  mode: enforce
  flood: { maxMessages: 5, windowSeconds: 10 }
  duplicates: { maxRepeats: 2, windowSeconds: 30 }
  ladder: [{ strikes: 1, action: warn }, { strikes: 2, action: timeout, seconds: 30 }, { strikes: 3, action: ban }]
`,
];
/** The shipped policies: validating one resolves word lists of thousands of entries, so they run less often. */
const SHIPPED = [text('config/default-policy.yaml'), text('config/policies/strict.yaml')];

function expectPolicyOrFileError(source: string): void {
  try {
    const policy = parsePolicy(source, 'fuzz.yaml');
    expect(policy.version).toBe(1);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileError);
    if (!(error instanceof PolicyFileError)) return;
    expectLocatedIssues(error, 'fuzz.yaml');
  }
}

function expectCompilesWhenValid(raw: unknown): void {
  const result = validatePolicy(raw, SERVICES);
  if (!result.ok) {
    expect(result.issues.length).toBeGreaterThan(0);
    for (const issue of result.issues) {
      expect(issue.message).toMatch(/\S/);
      for (const step of issue.path) expect(['string', 'number']).toContain(typeof step);
    }
    return;
  }
  const compiled = compilePolicy(result.policy, { compileRegex });
  for (const content of ['hello there', 'DAMN sh1t at example.com @a @b @c @d', '🖕'.repeat(30)])
    expect(['allow', 'mask', 'deny', 'hold']).toContain(evaluateMessage(content, {}, compiled).verdict);
}

describe('fuzz: policy documents', () => {
  const small = fc.constantFrom(...SMALL.map((source): unknown => parse(source)));

  it('validates any document to a policy that compiles, or to every problem with its path', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, nearValid(small), small), expectCompilesWhenValid),
      fuzzParameters(25),
    );
  });

  it('validates the shipped policies changed in one to three places the same way', () => {
    const shipped = fc.constantFrom(...SHIPPED.map((source): unknown => parse(source)));
    fc.assert(fc.property(nearValid(shipped), expectCompilesWhenValid), fuzzParameters(2));
  });
});

describe('fuzz: policy YAML text', () => {
  const source = fc.oneof(
    hostileString,
    fc
      .tuple(
        fc.oneof(hostileJson, nearValid(fc.constantFrom(...SMALL.map((s): unknown => parse(s))))),
        fc.boolean(),
      )
      .map(([document, flow]) => yamlText(document, flow)),
    // Cut anywhere, or with a few characters spliced in: a half-saved or mistyped file.
    fc
      .tuple(fc.constantFrom(...SMALL), fc.nat(), fc.nat(), hostileString)
      .map(([file, cut, at, insert]) =>
        `${file.slice(0, at % file.length)}${insert}${file.slice(at % file.length)}`.slice(
          0,
          cut % (file.length + insert.length + 1),
        ),
      ),
    fc.constantFrom(
      // Billion laughs: the alias limit refuses it instead of expanding it.
      `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nrules: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
      'version: 1\nversion: 1\n',
      '__proto__: { version: 1 }\nversion: 1\n',
      '<<: { version: 1 }\n',
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      '--- 1\n--- 2\n',
      '!!binary aGVsbG8=',
      'version: !!js/function "function () {}"',
    ),
  );

  it('reads any text as a policy or a PolicyFileError naming each problem’s place', () => {
    fc.assert(fc.property(source, expectPolicyOrFileError), fuzzParameters(25));
  });
});
