import type { LinksRule, PolicyDocument, RegexTarget, Rule } from '../policy/policy-document.js';
import type { TermPattern, TermRole } from './term-matcher.js';
import { TermMatcher } from './term-matcher.js';
import { EVERY_SCOPE } from './term-matcher-constants.js';

/** What a trie entry stands for: a rule's term, or an allow-list entry (policy-wide or one rule's). */
export type TermTag =
  | { readonly kind: 'block'; readonly rule: number }
  | { readonly kind: 'allow'; readonly rule: number | 'all' };

/** Every match of one pattern in `text`, as half-open UTF-16 spans. */
export type RegexSearch = (text: string) => readonly { readonly start: number; readonly end: number }[];
/** Compiles a policy pattern; throws on a pattern validation would have refused. */
export type RegexCompiler = (pattern: string, caseSensitive: boolean) => RegexSearch;

export interface CompiledRegexRule {
  readonly rule: number;
  readonly target: RegexTarget;
  readonly searches: readonly { readonly pattern: string; readonly search: RegexSearch }[];
}

/** A policy ready for the hot path: one matcher for every terms rule, the other rules sorted by what they need. */
export interface CompiledPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
  readonly rules: readonly Rule[];
  readonly matcher: TermMatcher<TermTag>;
  readonly regexRules: readonly CompiledRegexRule[];
  readonly linksRules: readonly { readonly rule: number; readonly options: LinksRule }[];
  /** Indexes of the rules that judge the message as a whole (caps, symbols, …): they need its metrics. */
  readonly wholeMessageRules: readonly number[];
  /** Only terms rules: a message the matcher finds nothing in is clean without further work. */
  readonly termsOnly: boolean;
}

export interface PolicyEngines {
  /** Needed only by policies with regex rules; the review bundle includes it only for those (see the build plugin). */
  readonly compileRegex?: RegexCompiler | undefined;
}

/** As evaluate.ts judges hits: a rule's term blocks unless an allow-list entry for that rule, or for all, covers it. */
function termRole(tag: TermTag): TermRole {
  if (tag.kind === 'block') return { allows: false, scope: tag.rule };
  return { allows: true, scope: tag.rule === 'all' ? EVERY_SCOPE : tag.rule };
}

export function compilePolicy(document: PolicyDocument, engines: PolicyEngines = {}): CompiledPolicy {
  const patterns: TermPattern<TermTag>[] = [];
  const allowAll: TermTag = Object.freeze({ kind: 'allow', rule: 'all' });
  for (const source of document.allow) patterns.push({ source, tag: allowAll });
  const regexRules: CompiledRegexRule[] = [];
  const linksRules: { rule: number; options: LinksRule }[] = [];
  const wholeMessageRules: number[] = [];
  document.rules.forEach((rule, index) => {
    switch (rule.kind) {
      case 'terms': {
        const block: TermTag = Object.freeze({ kind: 'block', rule: index });
        const allow: TermTag = Object.freeze({ kind: 'allow', rule: index });
        for (const source of rule.terms) patterns.push({ source, tag: block });
        for (const source of rule.allow) patterns.push({ source, tag: allow });
        break;
      }
      case 'regex': {
        const { compileRegex } = engines;
        if (compileRegex === undefined) {
          throw new Error(`policy "${document.name}" has regex rules but no regex engine was given`);
        }
        regexRules.push({
          rule: index,
          target: rule.target,
          searches: rule.patterns.map((pattern) => ({
            pattern,
            search: compileRegex(pattern, rule.caseSensitive),
          })),
        });
        break;
      }
      case 'links':
        linksRules.push({ rule: index, options: rule });
        break;
      default:
        wholeMessageRules.push(index);
    }
  });
  return Object.freeze({
    name: document.name,
    document,
    rules: document.rules,
    matcher: new TermMatcher(patterns, {
      stretchedLetters: document.settings.stretchedLetters,
      leetspeak: document.settings.leetspeak,
      roleOf: termRole,
    }),
    regexRules,
    linksRules,
    wholeMessageRules,
    termsOnly: regexRules.length === 0 && linksRules.length === 0 && wholeMessageRules.length === 0,
  });
}
