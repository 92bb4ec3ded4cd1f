import type { PolicyDocument, TermsRule } from '../policy/policy-document.js';
import type { TermPattern } from './term-matcher.js';
import { TermMatcher } from './term-matcher.js';

/** What a trie entry stands for: a rule's term, or an allow-list entry (policy-wide or one rule's). */
export type TermTag =
  | { readonly kind: 'block'; readonly rule: number }
  | { readonly kind: 'allow'; readonly rule: number | 'all' };

/** A policy ready for the hot path: one matcher for every rule, built once, read-only. */
export interface CompiledPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
  readonly rules: readonly TermsRule[];
  readonly matcher: TermMatcher<TermTag>;
}

export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const patterns: TermPattern<TermTag>[] = [];
  const allowAll: TermTag = Object.freeze({ kind: 'allow', rule: 'all' });
  for (const source of document.allow) patterns.push({ source, tag: allowAll });
  document.rules.forEach((rule, index) => {
    const block: TermTag = Object.freeze({ kind: 'block', rule: index });
    const allow: TermTag = Object.freeze({ kind: 'allow', rule: index });
    for (const source of rule.terms) patterns.push({ source, tag: block });
    for (const source of rule.allow) patterns.push({ source, tag: allow });
  });
  return Object.freeze({
    name: document.name,
    document,
    rules: document.rules,
    matcher: new TermMatcher(patterns, {
      stretchedLetters: document.settings.stretchedLetters,
      leetspeak: document.settings.leetspeak,
    }),
  });
}
