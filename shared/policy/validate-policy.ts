import { describeValue, objectAt } from '../config/raw-document.js';
import { isRecord } from '../guards.js';
import { parseTerm, TermSyntaxError } from '../rules/term-matcher.js';
import type {
  DuplicateLimit,
  EnforcementPolicy,
  EntrySeverity,
  Exemption,
  FloodLimit,
  LadderStep,
  LexiconCategory,
  PolicyDocument,
  PolicySettings,
  Rule,
  RuleAction,
  RuleKind,
  Severity,
} from './policy-document.js';
import {
  ENFORCEMENT_MODES,
  LADDER_ACTIONS,
  LEXICON_CATEGORIES,
  MASKABLE_KINDS,
  MAX_LEVEL,
  REGEX_TARGETS,
  RULE_ACTIONS,
  SEVERITIES,
} from './policy-document.js';

export type PolicyPath = readonly (string | number)[];

export interface PolicyIssue {
  readonly path: PolicyPath;
  readonly message: string;
}

/** A word list, with a category and severity per entry when it is categorized. */
export interface Lexicon {
  readonly words: readonly string[];
  readonly categories?: ReadonlyMap<
    string,
    { readonly category: LexiconCategory; readonly severity: EntrySeverity }
  >;
}

/** Looks up a named word list; undefined when the source or language is unknown. */
export type LexiconResolver = (source: string, language: string) => Lexicon | undefined;

/**
 * What validation needs from outside the domain code, injected so this module
 * stays pure: word lists, the regex engine's parser and the public suffix list.
 */
export interface PolicyServices {
  readonly resolveLexicon: LexiconResolver;
  /** Why the regex engine refuses `pattern`, or undefined when it compiles. */
  readonly checkRegex: (pattern: string) => string | undefined;
  /**
   * The registrable domain `input` names ("https://www.YouTube.com/x" → "youtube.com"), or why it names none
   * (a public suffix such as "co.uk", an IP address, not a host name).
   */
  readonly resolveDomain: (input: string) => { readonly domain: string } | { readonly error: string };
}

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
  patternsPerRule: 50,
  patternLength: 500,
  allowedDomains: 1_000,
  domainLength: 253,
} as const;

/** The thresholds of the rules that judge a message as a whole: their defaults and bounds. */
const THRESHOLDS = {
  caps: { maxRatio: { default: 0.7, min: 0, max: 1 }, minLetters: { default: 10, min: 1, max: 10_000 } },
  symbols: { maxRatio: { default: 0.5, min: 0, max: 1 }, minLength: { default: 10, min: 1, max: 10_000 } },
  'repeated-characters': { maxRun: { default: 10, min: 1, max: 10_000 } },
  mentions: { max: { default: 5, min: 0, max: 1_000 } },
  'emoji-flood': { max: { default: 10, min: 0, max: 10_000 } },
  length: { max: { default: 300, min: 1, max: 100_000 } },
} as const;

const RULE_KINDS: readonly RuleKind[] = [
  'terms',
  'regex',
  'links',
  'caps',
  'symbols',
  'repeated-characters',
  'mentions',
  'emoji-flood',
  'length',
];
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
export function validatePolicy(raw: unknown, services: PolicyServices): PolicyValidation {
  const issues: PolicyIssue[] = [];
  const report = (path: PolicyPath, message: string) => issues.push({ path, message });

  const root = objectAt(raw, [], report, [
    'version',
    'name',
    'settings',
    'exemptions',
    'allow',
    'rules',
    'enforcement',
  ]);
  if (root === undefined) return { ok: false, issues };

  if (root.version !== 1) report(['version'], `must be 1 (got ${describeValue(root.version)})`);
  const name = stringAt(root.name, ['name'], report, { max: LIMITS.name }) ?? '';
  const settings = readSettings(root.settings, report);
  const exemptions = readExemptions(root.exemptions, ['exemptions'], report);
  const allow = readTermList(root.allow, ['allow'], report, LIMITS.allowEntries, { optional: true });

  const rules: Rule[] = [];
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
      const rule = readRule(entry, ['rules', index], report, services);
      if (rule !== undefined) rules.push(rule);
    });
  }

  const ruleTerms = rules.flatMap((rule) => (rule.kind === 'terms' ? [...rule.terms, ...rule.allow] : []));
  const totalCharacters = [...allow, ...ruleTerms].reduce((total, term) => total + term.length, 0);
  if (totalCharacters > LIMITS.totalTermCharacters) {
    report(
      ['rules'],
      `terms and allow entries total ${totalCharacters} characters; at most ${LIMITS.totalTermCharacters}`,
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  const enforcement = readEnforcement(root.enforcement, report);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, policy: { version: 1, name, settings, exemptions, allow, rules, enforcement } };
}

type Report = (path: PolicyPath, message: string) => void;
type RawObject = Record<string, unknown>;

function stringAt(
  value: unknown,
  path: PolicyPath,
  report: Report,
  { max, min = 1 }: { max: number; min?: number },
): string | undefined {
  if (typeof value !== 'string') {
    report(path, `must be a string (got ${describeValue(value)})`);
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
  if (match === undefined) report(path, `must be one of ${allowed.join(', ')} (got ${describeValue(value)})`);
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
  stretchedLetters = readBoolean(
    raw.stretchedLetters,
    ['settings', 'stretchedLetters'],
    stretchedLetters,
    report,
  );
  leetspeak = readBoolean(raw.leetspeak, ['settings', 'leetspeak'], leetspeak, report);
  return { maskCharacter, maxContentLength, stretchedLetters, leetspeak };
}

function readExemptions(value: unknown, path: PolicyPath, report: Report): Exemption[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(path, `must be a list (got ${describeValue(value)})`);
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
    report(path, `must be a list of terms (got ${describeValue(value)})`);
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

/** Keys every rule may have, and the ones each kind adds. */
const COMMON_RULE_KEYS = ['id', 'kind', 'action', 'severity', 'reason', 'exemptions'];
const KIND_KEYS: Readonly<Record<RuleKind, readonly string[]>> = {
  terms: ['terms', 'lexicons', 'allow'],
  regex: ['patterns', 'target', 'caseSensitive'],
  links: ['allowedDomains', 'obfuscated'],
  caps: Object.keys(THRESHOLDS.caps),
  symbols: Object.keys(THRESHOLDS.symbols),
  'repeated-characters': Object.keys(THRESHOLDS['repeated-characters']),
  mentions: Object.keys(THRESHOLDS.mentions),
  'emoji-flood': Object.keys(THRESHOLDS['emoji-flood']),
  length: Object.keys(THRESHOLDS.length),
};

function readRule(
  value: unknown,
  path: PolicyPath,
  report: Report,
  services: PolicyServices,
): Rule | undefined {
  if (!isRecord(value)) {
    report(path, `must be a mapping (got ${describeValue(value)})`);
    return undefined;
  }
  const kind = oneOf(value.kind, RULE_KINDS, [...path, 'kind'], report);
  // Without a known kind, only the common keys can be judged.
  const raw = objectAt(value, path, report, [
    ...COMMON_RULE_KEYS,
    ...(kind === undefined ? [] : KIND_KEYS[kind]),
  ]);
  if (raw === undefined || kind === undefined) return undefined;
  const id = stringAt(raw.id, [...path, 'id'], report, { max: 63 });
  if (id !== undefined && !RULE_ID.test(id)) {
    report([...path, 'id'], 'must be lowercase letters, digits and dashes, starting with a letter or digit');
  }
  const action: RuleAction | undefined = oneOf(raw.action, RULE_ACTIONS, [...path, 'action'], report);
  if (action === 'mask' && !MASKABLE_KINDS.includes(kind)) {
    report(
      [...path, 'action'],
      `a ${kind} rule judges the whole message and can only deny; mask is for ${MASKABLE_KINDS.join(', ')} rules`,
    );
  }
  const severity: Severity | undefined = oneOf(raw.severity, SEVERITIES, [...path, 'severity'], report);
  const reason = stringAt(raw.reason, [...path, 'reason'], report, { max: LIMITS.reason });
  const exemptions = readExemptions(raw.exemptions, [...path, 'exemptions'], report);
  const rule = readKind(kind, raw, path, report, services);
  if (id === undefined || action === undefined || severity === undefined || reason === undefined)
    return undefined;
  return rule === undefined ? undefined : { id, action, severity, reason, exemptions, ...rule };
}

type KindFields = {
  [K in RuleKind]: Omit<Extract<Rule, { kind: K }>, 'id' | 'action' | 'severity' | 'reason' | 'exemptions'>;
}[RuleKind];

function readKind(
  kind: RuleKind,
  raw: RawObject,
  path: PolicyPath,
  report: Report,
  services: PolicyServices,
): KindFields | undefined {
  switch (kind) {
    case 'terms':
      return readTermsFields(raw, path, report, services.resolveLexicon);
    case 'regex':
      return readRegexFields(raw, path, report, services.checkRegex);
    case 'links':
      return readLinksFields(raw, path, report, services.resolveDomain);
    case 'caps': {
      const { maxRatio, minLetters } = THRESHOLDS.caps;
      return { kind, maxRatio: read('maxRatio', maxRatio), minLetters: read('minLetters', minLetters) };
    }
    case 'symbols': {
      const { maxRatio, minLength } = THRESHOLDS.symbols;
      return { kind, maxRatio: read('maxRatio', maxRatio), minLength: read('minLength', minLength) };
    }
    case 'repeated-characters':
      return { kind, maxRun: read('maxRun', THRESHOLDS['repeated-characters'].maxRun) };
    case 'mentions':
      return { kind, max: read('max', THRESHOLDS.mentions.max) };
    case 'emoji-flood':
      return { kind, max: read('max', THRESHOLDS['emoji-flood'].max) };
    case 'length':
      return { kind, max: read('max', THRESHOLDS.length.max) };
  }

  /** A threshold from the rule, or its default; a ratio is any number in bounds, every other threshold whole. */
  function read(key: string, bounds: Bounds): number {
    const value = raw[key];
    if (value === undefined) return bounds.default;
    const isRatio = key.endsWith('Ratio');
    if (
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (isRatio || Number.isInteger(value)) &&
      value >= bounds.min &&
      value <= bounds.max
    ) {
      return value;
    }
    report(
      [...path, key],
      `must be ${isRatio ? 'a number' : 'a whole number'} from ${bounds.min} to ${bounds.max} (got ${describeValue(value)})`,
    );
    return bounds.default;
  }
}

interface Bounds {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

function readTermsFields(
  raw: RawObject,
  path: PolicyPath,
  report: Report,
  resolveLexicon: LexiconResolver,
): KindFields {
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
  return { kind: 'terms', terms, allow };
}

function readRegexFields(
  raw: RawObject,
  path: PolicyPath,
  report: Report,
  checkRegex: PolicyServices['checkRegex'],
): KindFields {
  const patterns: string[] = [];
  const at = [...path, 'patterns'];
  if (
    !Array.isArray(raw.patterns) ||
    raw.patterns.length === 0 ||
    raw.patterns.length > LIMITS.patternsPerRule
  ) {
    report(at, `must be a list of 1 to ${LIMITS.patternsPerRule} patterns`);
  } else {
    raw.patterns.forEach((entry, index) => {
      const pattern = stringAt(entry, [...at, index], report, { max: LIMITS.patternLength });
      if (pattern === undefined) return;
      const problem = checkRegex(pattern);
      if (problem === undefined) patterns.push(pattern);
      else report([...at, index], `invalid pattern ${JSON.stringify(pattern)}: ${problem}`);
    });
  }
  const target =
    raw.target === undefined ? 'normalized' : oneOf(raw.target, REGEX_TARGETS, [...path, 'target'], report);
  const caseSensitive = readBoolean(raw.caseSensitive, [...path, 'caseSensitive'], false, report);
  return { kind: 'regex', patterns, target: target ?? 'normalized', caseSensitive };
}

function readLinksFields(
  raw: RawObject,
  path: PolicyPath,
  report: Report,
  resolveDomain: PolicyServices['resolveDomain'],
): KindFields {
  const allowedDomains: string[] = [];
  const at = [...path, 'allowedDomains'];
  if (raw.allowedDomains !== undefined) {
    if (!Array.isArray(raw.allowedDomains) || raw.allowedDomains.length > LIMITS.allowedDomains) {
      report(at, `must be a list of at most ${LIMITS.allowedDomains} domains`);
    } else {
      raw.allowedDomains.forEach((entry, index) => {
        const text = stringAt(entry, [...at, index], report, { max: LIMITS.domainLength });
        if (text === undefined) return;
        const resolved = resolveDomain(text);
        if ('error' in resolved) report([...at, index], `"${text}": ${resolved.error}`);
        else if (!allowedDomains.includes(resolved.domain)) allowedDomains.push(resolved.domain);
      });
    }
  }
  const obfuscated = readBoolean(raw.obfuscated, [...path, 'obfuscated'], true, report);
  return { kind: 'links', allowedDomains, obfuscated };
}

/**
 * Which entries of a lexicon its `levels` keep, the way Twitch AutoMod levels work: a category at level L
 * (0–4) keeps its entries of severity ≥ 5 − L; a category the policy does not name is at level 0. Without
 * `levels`, every entry is kept.
 */
function readLevels(
  value: unknown,
  path: PolicyPath,
  report: Report,
  lexicon: Lexicon,
  name: string,
): (word: string) => boolean {
  if (value === undefined) return () => true;
  const { categories } = lexicon;
  if (categories === undefined) {
    report(
      path,
      `lexicon ${name} has no categories, so it cannot be filtered by level; list it without "levels"`,
    );
    return () => true;
  }
  const raw = objectAt(value, path, report, LEXICON_CATEGORIES);
  const levels = new Map<LexiconCategory, number>();
  for (const category of LEXICON_CATEGORIES) {
    const level = raw?.[category];
    if (level === undefined) continue;
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
      report(
        [...path, category],
        `must be a level from 0 (off) to ${MAX_LEVEL} (strictest) (got ${describeValue(level)})`,
      );
    } else levels.set(category, level);
  }
  return (word) => {
    const entry = categories.get(word);
    // An entry the categorization has not caught up with counts as severe: filtered at any level above 0.
    const { category, severity }: { category: LexiconCategory | undefined; severity: EntrySeverity } =
      entry ?? {
        category: undefined,
        severity: 4,
      };
    const level = category === undefined ? Math.max(0, ...levels.values()) : (levels.get(category) ?? 0);
    return severity >= MAX_LEVEL + 1 - level;
  };
}

function readBoolean(value: unknown, path: PolicyPath, fallback: boolean, report: Report): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  report(path, `must be true or false (got ${describeValue(value)})`);
  return fallback;
}

function readLexicons(
  value: unknown,
  path: PolicyPath,
  report: Report,
  resolveLexicon: LexiconResolver,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(path, `must be a list of lexicon references (got ${describeValue(value)})`);
    return [];
  }
  const terms: string[] = [];
  value.forEach((entry, index) => {
    const at = [...path, index];
    const raw = objectAt(entry, at, report, ['source', 'language', 'levels', 'exclude']);
    if (raw === undefined) return;
    const source = stringAt(raw.source, [...at, 'source'], report, { max: 100 });
    const language = stringAt(raw.language, [...at, 'language'], report, { max: 35 });
    const exclude = readTermList(raw.exclude, [...at, 'exclude'], report, LIMITS.termsPerRule, {
      optional: true,
    });
    if (source === undefined || language === undefined) return;
    const lexicon = resolveLexicon(source, language);
    if (lexicon === undefined) {
      report(at, `unknown lexicon "${source}" language "${language}"`);
      return;
    }
    const listed = new Set(lexicon.words);
    exclude.forEach((word, excludeIndex) => {
      if (!listed.has(word)) report([...at, 'exclude', excludeIndex], `"${word}" is not in this lexicon`);
    });
    const excluded = new Set(exclude);
    const filtered = readLevels(raw.levels, [...at, 'levels'], report, lexicon, `${source} ${language}`);
    lexicon.words.forEach((word, wordIndex) => {
      if (excluded.has(word) || !filtered(word)) return;
      const term = checkTerm(word, [...at, `(entry ${wordIndex})`], report);
      if (term !== undefined) terms.push(term);
    });
  });
  return terms;
}

export const DEFAULT_ENFORCEMENT: EnforcementPolicy = {
  mode: 'enforce',
  flood: undefined,
  duplicates: undefined,
  recheck: false,
  strikeWindowMinutes: 60,
  ladder: [],
  warningEventName: 'app:moderation-warning',
};

/** IVS event names: 1–100 characters; ours must not take the reserved `aws:` prefix. */
const EVENT_NAME = /^(?!aws:)[A-Za-z0-9_:.-]{1,100}$/;
const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;

function readEnforcement(value: unknown, report: Report): EnforcementPolicy {
  if (value === undefined) return DEFAULT_ENFORCEMENT;
  const path = ['enforcement'];
  const raw = objectAt(value, path, report, [
    'mode',
    'flood',
    'duplicates',
    'recheck',
    'strikeWindowMinutes',
    'ladder',
    'warningEventName',
  ]);
  if (raw === undefined) return DEFAULT_ENFORCEMENT;
  const whole = (from: unknown, at: PolicyPath, min: number, max: number, fallback: number) => {
    if (from === undefined) return fallback;
    if (typeof from === 'number' && Number.isInteger(from) && from >= min && from <= max) return from;
    report(at, `must be a whole number from ${min} to ${max} (got ${describeValue(from)})`);
    return fallback;
  };
  const mode =
    raw.mode === undefined ? 'enforce' : oneOf(raw.mode, ENFORCEMENT_MODES, [...path, 'mode'], report);
  /** A count within a window (`{ <countKey>, windowSeconds }`), both whole numbers within their bounds. */
  const readLimit = (key: 'flood' | 'duplicates', countKey: string, count: Bounds, window: Bounds) => {
    if (raw[key] === undefined) return undefined;
    const at = [...path, key];
    const limit = objectAt(raw[key], at, report, [countKey, 'windowSeconds']);
    if (limit === undefined) return undefined;
    return {
      count: whole(limit[countKey], [...at, countKey], count.min, count.max, count.default),
      windowSeconds: whole(
        limit.windowSeconds,
        [...at, 'windowSeconds'],
        window.min,
        window.max,
        window.default,
      ),
    };
  };
  const floodLimit = readLimit(
    'flood',
    'maxMessages',
    { default: 8, min: 1, max: 1_000 },
    { default: 10, min: 1, max: 3_600 },
  );
  const flood: FloodLimit | undefined = floodLimit && {
    maxMessages: floodLimit.count,
    windowSeconds: floodLimit.windowSeconds,
  };
  const repeatLimit = readLimit(
    'duplicates',
    'maxRepeats',
    { default: 3, min: 1, max: 1_000 },
    { default: 60, min: 1, max: 86_400 },
  );
  const duplicates: DuplicateLimit | undefined = repeatLimit && {
    maxRepeats: repeatLimit.count,
    windowSeconds: repeatLimit.windowSeconds,
  };
  const warningEventName =
    raw.warningEventName === undefined
      ? DEFAULT_ENFORCEMENT.warningEventName
      : stringAt(raw.warningEventName, [...path, 'warningEventName'], report, { max: 100 });
  if (warningEventName !== undefined && !EVENT_NAME.test(warningEventName)) {
    report([...path, 'warningEventName'], 'must be letters, digits and _:.- only, and not start with "aws:"');
  }
  return {
    mode: mode ?? 'enforce',
    flood,
    duplicates,
    recheck: readBoolean(raw.recheck, [...path, 'recheck'], DEFAULT_ENFORCEMENT.recheck, report),
    strikeWindowMinutes: whole(
      raw.strikeWindowMinutes,
      [...path, 'strikeWindowMinutes'],
      1,
      MAX_TIMEOUT_MINUTES * 4,
      DEFAULT_ENFORCEMENT.strikeWindowMinutes,
    ),
    ladder: readLadder(raw.ladder, [...path, 'ladder'], report),
    warningEventName: warningEventName ?? DEFAULT_ENFORCEMENT.warningEventName,
  };

  function readLadder(list: unknown, at: PolicyPath, problem: Report): LadderStep[] {
    if (list === undefined) return [];
    if (!Array.isArray(list) || list.length > 20) {
      problem(at, 'must be a list of at most 20 steps');
      return [];
    }
    const steps: LadderStep[] = [];
    list.forEach((entry, index) => {
      const stepPath = [...at, index];
      const step = objectAt(entry, stepPath, problem, ['strikes', 'action', 'minutes', 'seconds']);
      if (step === undefined) return;
      const strikes = whole(step.strikes, [...stepPath, 'strikes'], 1, 1_000, 0);
      const action = oneOf(step.action, LADDER_ACTIONS, [...stepPath, 'action'], problem);
      const previous = steps[steps.length - 1];
      if (previous !== undefined && strikes <= previous.strikes) {
        problem([...stepPath, 'strikes'], `must be more than the step before (${previous.strikes})`);
      }
      if (action === 'timeout') {
        steps.push({ strikes, action, seconds: timeoutSeconds(step, stepPath, problem) });
      } else if (action !== undefined) {
        for (const unit of ['minutes', 'seconds'] as const) {
          if (step[unit] !== undefined)
            problem([...stepPath, unit], `only a timeout has a length, not ${action}`);
        }
        steps.push({ strikes, action });
      }
    });
    return steps;
  }

  /** Minutes or, for short timeouts (Twitch allows a single second), seconds: exactly one of them. */
  function timeoutSeconds(step: RawObject, at: PolicyPath, problem: Report): number {
    if (step.minutes !== undefined && step.seconds !== undefined) {
      problem([...at, 'seconds'], 'give a timeout its length in minutes or in seconds, not both');
    }
    if (step.seconds !== undefined) {
      return whole(step.seconds, [...at, 'seconds'], 1, MAX_TIMEOUT_MINUTES * 60, 600);
    }
    if (step.minutes === undefined)
      problem([...at, 'minutes'], 'a timeout needs its length in minutes or seconds');
    return whole(step.minutes, [...at, 'minutes'], 1, MAX_TIMEOUT_MINUTES, 10) * 60;
  }
}
