import { isRecord } from '../guards.js';
import { parseTerm, TermSyntaxError } from '../rules/term-matcher.js';
import type {
  Exemption,
  PolicyDocument,
  PolicySettings,
  RuleAction,
  Severity,
  TermsRule,
} from './policy-document.js';
import { RULE_ACTIONS, SEVERITIES } from './policy-document.js';

export type PolicyPath = readonly (string | number)[];

export interface PolicyIssue {
  readonly path: PolicyPath;
  readonly message: string;
}

/** Looks up a named word list; undefined when the source or language is unknown. */
export type LexiconResolver = (source: string, language: string) => readonly string[] | undefined;

export type PolicyValidation =
  | { readonly ok: true; readonly policy: PolicyDocument }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LIMITS = {
  name: 64,
  rules: 100,
  termsPerRule: 10_000,
  termLength: 100,
  allowEntries: 1_000,
  reason: 256,
  exemptions: 20,
  exemptionValues: 50,
  attributeText: 128,
  maxContentLength: 100_000,
  /** All terms and allow entries together, in characters: bounds the matcher's table (about 256 bytes each). */
  totalTermCharacters: 200_000,
} as const;
const DEFAULT_SETTINGS: PolicySettings = {
  maskCharacter: '*',
  maxContentLength: 4_096,
  stretchedLetters: false,
  leetspeak: false,
};

/** Renders a path the way a reader finds it in the file: `rules[2].terms[5]`. */
export function formatPolicyPath(path: PolicyPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(document)' : out;
}

/**
 * Checks a parsed policy file and expands it into a PolicyDocument. Collects
 * every problem rather than stopping at the first, each with its path.
 */
export function validatePolicy(raw: unknown, resolveLexicon: LexiconResolver): PolicyValidation {
  const issues: PolicyIssue[] = [];
  const report = (path: PolicyPath, message: string) => issues.push({ path, message });

  const root = objectAt(raw, [], report, ['version', 'name', 'settings', 'exemptions', 'allow', 'rules']);
  if (root === undefined) return { ok: false, issues };

  if (root.version !== 1) report(['version'], `must be 1 (got ${describe(root.version)})`);
  const name = stringAt(root.name, ['name'], report, { max: LIMITS.name }) ?? '';
  const settings = readSettings(root.settings, report);
  const exemptions = readExemptions(root.exemptions, ['exemptions'], report);
  const allow = readTermList(root.allow, ['allow'], report, LIMITS.allowEntries, { optional: true });

  const rules: TermsRule[] = [];
  if (!Array.isArray(root.rules) || root.rules.length === 0) {
    report(['rules'], 'must be a non-empty list of rules');
  } else if (root.rules.length > LIMITS.rules) {
    report(['rules'], `at most ${LIMITS.rules} rules are allowed (got ${root.rules.length})`);
  } else {
    const seen = new Set<string>();
    root.rules.forEach((entry, index) => {
      const id = isRecord(entry) ? entry.id : undefined;
      if (typeof id === 'string') {
        if (seen.has(id)) report(['rules', index, 'id'], `duplicate rule id "${id}"`);
        seen.add(id);
      }
      const rule = readRule(entry, ['rules', index], report, resolveLexicon);
      if (rule !== undefined) rules.push(rule);
    });
  }

  const totalCharacters = [...allow, ...rules.flatMap((rule) => [...rule.terms, ...rule.allow])].reduce(
    (total, term) => total + term.length,
    0,
  );
  if (totalCharacters > LIMITS.totalTermCharacters) {
    report(
      ['rules'],
      `terms and allow entries total ${totalCharacters} characters; at most ${LIMITS.totalTermCharacters}`,
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, policy: { version: 1, name, settings, exemptions, allow, rules } };
}

type Report = (path: PolicyPath, message: string) => void;
type RawObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function objectAt(
  value: unknown,
  path: PolicyPath,
  report: Report,
  keys: readonly string[],
): RawObject | undefined {
  if (!isRecord(value)) {
    report(path, `must be a mapping (got ${describe(value)})`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) report([...path, key], `unknown key; expected one of: ${keys.join(', ')}`);
  }
  return value;
}

function stringAt(
  value: unknown,
  path: PolicyPath,
  report: Report,
  { max, min = 1 }: { max: number; min?: number },
): string | undefined {
  if (typeof value !== 'string') {
    report(path, `must be a string (got ${describe(value)})`);
    return undefined;
  }
  if (value.length < min || value.length > max) {
    report(path, `must be ${min} to ${max} characters long (got ${value.length})`);
    return undefined;
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: PolicyPath,
  report: Report,
): T | undefined {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) report(path, `must be one of ${allowed.join(', ')} (got ${describe(value)})`);
  return match;
}

function readSettings(value: unknown, report: Report): PolicySettings {
  if (value === undefined) return DEFAULT_SETTINGS;
  const raw = objectAt(value, ['settings'], report, [
    'maskCharacter',
    'maxContentLength',
    'stretchedLetters',
    'leetspeak',
  ]);
  if (raw === undefined) return DEFAULT_SETTINGS;
  let { maskCharacter, maxContentLength, stretchedLetters, leetspeak } = DEFAULT_SETTINGS;
  if (raw.maskCharacter !== undefined) {
    const mask = stringAt(raw.maskCharacter, ['settings', 'maskCharacter'], report, { max: 2 });
    if (mask !== undefined && ([...mask].length !== 1 || /\s/u.test(mask))) {
      report(['settings', 'maskCharacter'], 'must be exactly one visible character');
    } else if (mask !== undefined) {
      maskCharacter = mask;
    }
  }
  if (raw.maxContentLength !== undefined) {
    const limit = raw.maxContentLength;
    if (
      typeof limit !== 'number' ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > LIMITS.maxContentLength
    ) {
      report(['settings', 'maxContentLength'], `must be a whole number from 1 to ${LIMITS.maxContentLength}`);
    } else {
      maxContentLength = limit;
    }
  }
  stretchedLetters = readFlag(raw.stretchedLetters, 'stretchedLetters', stretchedLetters, report);
  leetspeak = readFlag(raw.leetspeak, 'leetspeak', leetspeak, report);
  return { maskCharacter, maxContentLength, stretchedLetters, leetspeak };
}

function readFlag(value: unknown, key: string, fallback: boolean, report: Report): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  report(['settings', key], `must be true or false (got ${describe(value)})`);
  return fallback;
}

function readExemptions(value: unknown, path: PolicyPath, report: Report): Exemption[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(path, `must be a list (got ${describe(value)})`);
    return [];
  }
  if (value.length > LIMITS.exemptions) report(path, `at most ${LIMITS.exemptions} exemptions are allowed`);
  const exemptions: Exemption[] = [];
  value.forEach((entry, index) => {
    const at = [...path, index];
    const raw = objectAt(entry, at, report, ['senderAttribute', 'values']);
    if (raw === undefined) return;
    const senderAttribute = stringAt(raw.senderAttribute, [...at, 'senderAttribute'], report, {
      max: LIMITS.attributeText,
    });
    const values: string[] = [];
    if (!Array.isArray(raw.values) || raw.values.length === 0 || raw.values.length > LIMITS.exemptionValues) {
      report([...at, 'values'], `must be a list of 1 to ${LIMITS.exemptionValues} strings`);
    } else {
      raw.values.forEach((item, itemIndex) => {
        const text = stringAt(item, [...at, 'values', itemIndex], report, { max: LIMITS.attributeText });
        if (text !== undefined) values.push(text);
      });
    }
    if (senderAttribute !== undefined) exemptions.push({ senderAttribute, values });
  });
  return exemptions;
}

function readTermList(
  value: unknown,
  path: PolicyPath,
  report: Report,
  max: number,
  { optional }: { optional: boolean },
): string[] {
  if (value === undefined && optional) return [];
  if (!Array.isArray(value)) {
    report(path, `must be a list of terms (got ${describe(value)})`);
    return [];
  }
  if (value.length > max) report(path, `at most ${max} entries are allowed (got ${value.length})`);
  const terms: string[] = [];
  value.forEach((entry, index) => {
    const term = checkTerm(entry, [...path, index], report);
    if (term !== undefined) terms.push(term);
  });
  return terms;
}

function checkTerm(value: unknown, path: PolicyPath, report: Report): string | undefined {
  // YAML reads bare numbers and booleans as such; a term is text.
  const text = typeof value === 'number' ? String(value) : value;
  const term = stringAt(text, path, report, { max: LIMITS.termLength });
  if (term === undefined) return undefined;
  try {
    parseTerm(term);
    return term;
  } catch (error) {
    if (!(error instanceof TermSyntaxError)) throw error;
    report(path, `invalid term "${term}": ${error.message}`);
    return undefined;
  }
}

const RULE_KEYS = ['id', 'kind', 'action', 'severity', 'reason', 'terms', 'lexicons', 'allow', 'exemptions'];

function readRule(
  value: unknown,
  path: PolicyPath,
  report: Report,
  resolveLexicon: LexiconResolver,
): TermsRule | undefined {
  const raw = objectAt(value, path, report, RULE_KEYS);
  if (raw === undefined) return undefined;
  const id = stringAt(raw.id, [...path, 'id'], report, { max: 63 });
  if (id !== undefined && !RULE_ID.test(id)) {
    report([...path, 'id'], 'must be lowercase letters, digits and dashes, starting with a letter or digit');
  }
  const kind = oneOf(raw.kind, ['terms'] as const, [...path, 'kind'], report);
  const action: RuleAction | undefined = oneOf(raw.action, RULE_ACTIONS, [...path, 'action'], report);
  const severity: Severity | undefined = oneOf(raw.severity, SEVERITIES, [...path, 'severity'], report);
  const reason = stringAt(raw.reason, [...path, 'reason'], report, { max: LIMITS.reason });
  const explicit = readTermList(raw.terms, [...path, 'terms'], report, LIMITS.termsPerRule, {
    optional: true,
  });
  const fromLexicons = readLexicons(raw.lexicons, [...path, 'lexicons'], report, resolveLexicon);
  const terms = [...new Set([...explicit, ...fromLexicons])];
  if (raw.terms === undefined && raw.lexicons === undefined) {
    report(path, 'a terms rule needs "terms", "lexicons" or both');
  } else if (terms.length > LIMITS.termsPerRule) {
    report([...path, 'terms'], `at most ${LIMITS.termsPerRule} terms per rule (got ${terms.length})`);
  }
  const allow = readTermList(raw.allow, [...path, 'allow'], report, LIMITS.allowEntries, { optional: true });
  const exemptions = readExemptions(raw.exemptions, [...path, 'exemptions'], report);
  if (
    id === undefined ||
    kind === undefined ||
    action === undefined ||
    severity === undefined ||
    reason === undefined
  ) {
    return undefined;
  }
  return { id, kind, action, severity, reason, terms, allow, exemptions };
}

function readLexicons(
  value: unknown,
  path: PolicyPath,
  report: Report,
  resolveLexicon: LexiconResolver,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(path, `must be a list of lexicon references (got ${describe(value)})`);
    return [];
  }
  const terms: string[] = [];
  value.forEach((entry, index) => {
    const at = [...path, index];
    const raw = objectAt(entry, at, report, ['source', 'language', 'exclude']);
    if (raw === undefined) return;
    const source = stringAt(raw.source, [...at, 'source'], report, { max: 100 });
    const language = stringAt(raw.language, [...at, 'language'], report, { max: 35 });
    const exclude = readTermList(raw.exclude, [...at, 'exclude'], report, LIMITS.termsPerRule, {
      optional: true,
    });
    if (source === undefined || language === undefined) return;
    const words = resolveLexicon(source, language);
    if (words === undefined) {
      report(at, `unknown lexicon "${source}" language "${language}"`);
      return;
    }
    const listed = new Set(words);
    exclude.forEach((word, excludeIndex) => {
      if (!listed.has(word)) report([...at, 'exclude', excludeIndex], `"${word}" is not in this lexicon`);
    });
    const excluded = new Set(exclude);
    words.forEach((word, wordIndex) => {
      if (excluded.has(word)) return;
      const term = checkTerm(word, [...at, `(entry ${wordIndex})`], report);
      if (term !== undefined) terms.push(term);
    });
  });
  return terms;
}
