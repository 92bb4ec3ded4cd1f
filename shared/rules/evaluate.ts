import { foldAt, normalizeTransient, originalSpan } from '../normalization/normalize.js';
import type { Exemption, RuleAction, Severity, TermsRule } from '../policy/policy-document.js';
import { SEVERITY_RANK } from '../policy/policy-document.js';
import type { CompiledPolicy, TermTag } from './compile-policy.js';
import type { TermHit } from './term-matcher.js';

export type SenderAttributes = Readonly<Record<string, string>>;

export interface RuleMatch {
  readonly ruleId: string;
  readonly action: RuleAction;
  readonly severity: Severity;
  /** The policy term that matched, as written in the policy. */
  readonly term: string;
  /** Half-open UTF-16 span `[start, end)` in the original content. */
  readonly start: number;
  readonly end: number;
  /** The sender is exempt from this rule: the match is reported but not acted on. */
  readonly exempt: boolean;
}

export type Decision =
  | { readonly verdict: 'allow'; readonly matches: readonly RuleMatch[] }
  | { readonly verdict: 'mask'; readonly content: string; readonly matches: readonly RuleMatch[] }
  | {
      readonly verdict: 'deny';
      readonly ruleId: string;
      readonly reason: string;
      readonly matches: readonly RuleMatch[];
    };

/** The decision for most messages, shared: nothing matched. */
const CLEAN: Decision = Object.freeze({ verdict: 'allow', matches: Object.freeze([]) });

/**
 * Applies a policy to one message. Deny beats mask; among denying rules the
 * most severe one, then the first in the policy, gives the reason. Never throws.
 */
export function evaluateMessage(
  content: string,
  senderAttributes: SenderAttributes,
  policy: CompiledPolicy,
): Decision {
  // Transient: finished with before anything else normalizes.
  const normalized = normalizeTransient(content, policy.matcher.watch);
  const hits = policy.matcher.findAll(normalized);
  if (hits.length === 0) return CLEAN;

  const allowHits = hits.filter((hit) => hit.tag.kind === 'allow');
  const policyExempt = isExempt(senderAttributes, policy.document.exemptions);
  const matches: RuleMatch[] = [];
  const seen = new Set<string>();
  for (const hit of hits) {
    if (hit.tag.kind !== 'block') continue;
    const ruleIndex = hit.tag.rule;
    const rule = policy.rules[ruleIndex];
    if (rule === undefined || isAllowed(hit, ruleIndex, allowHits)) continue;
    const { start, end } = originalSpan(normalized, hit.start, hit.end);
    const key = `${ruleIndex}:${start}:${end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    matches.push({
      ruleId: rule.id,
      action: rule.action,
      severity: rule.severity,
      term: hit.source,
      start,
      end,
      exempt: policyExempt || isExempt(senderAttributes, rule.exemptions),
    });
  }

  const acted = matches.filter((match) => !match.exempt);
  const denying = mostSevereDenyingRule(acted, policy.rules);
  if (denying !== undefined) {
    return { verdict: 'deny', ruleId: denying.id, reason: denying.reason, matches };
  }
  const masked = acted.filter((match) => match.action === 'mask');
  if (masked.length === 0) return { verdict: 'allow', matches };
  return { verdict: 'mask', content: mask(content, masked, policy.document.settings.maskCharacter), matches };
}

function isExempt(attributes: SenderAttributes, exemptions: readonly Exemption[]): boolean {
  return exemptions.some(({ senderAttribute, values }) => {
    if (!Object.hasOwn(attributes, senderAttribute)) return false;
    const value = attributes[senderAttribute];
    return value !== undefined && values.includes(value);
  });
}

/** An allow-list entry wins when its match covers the whole term match. */
function isAllowed(
  hit: TermHit<TermTag>,
  ruleIndex: number,
  allowHits: readonly TermHit<TermTag>[],
): boolean {
  return allowHits.some(
    (allow) =>
      allow.tag.kind === 'allow' &&
      (allow.tag.rule === 'all' || allow.tag.rule === ruleIndex) &&
      allow.start <= hit.start &&
      hit.end <= allow.end,
  );
}

function mostSevereDenyingRule(
  matches: readonly RuleMatch[],
  rules: readonly TermsRule[],
): TermsRule | undefined {
  let best: TermsRule | undefined;
  for (const rule of rules) {
    if (rule.action !== 'deny') continue;
    if (!matches.some((match) => match.ruleId === rule.id)) continue;
    if (best === undefined || SEVERITY_RANK[rule.severity] > SEVERITY_RANK[best.severity]) best = rule;
  }
  return best;
}

/**
 * Replaces each visible code point inside the spans with `maskCharacter`,
 * keeps separators, and drops invisible code points and stacked marks inside
 * a span. Every code point maps to at most one, so the result is never longer
 * than the input in code points.
 */
export function mask(
  content: string,
  spans: readonly { start: number; end: number }[],
  maskCharacter: string,
): string {
  const ordered = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const { start, end } of ordered) {
    if (end <= cursor) continue;
    let index = Math.max(start, cursor);
    out += content.slice(cursor, index);
    while (index < end) {
      const { folded, width } = foldAt(content, index);
      if (folded === ' ') out += content.slice(index, index + width);
      else if (folded !== '') out += maskCharacter;
      index += width;
    }
    cursor = index;
  }
  return out + content.slice(cursor);
}
