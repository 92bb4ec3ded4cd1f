import type { NormalizedText } from '../normalization/normalize.js';
import { foldCodePointAt, normalizeTransient, originalSpan } from '../normalization/normalize.js';
import type { Exemption, Rule, RuleAction, Severity } from '../policy/policy-document.js';
import { SEVERITY_RANK } from '../policy/policy-document.js';
import type { CompiledPolicy, TermTag } from './compile-policy.js';
import { findLinks, isAllowedHost } from './find-links.js';
import type { MessageMetrics } from './message-metrics.js';
import { measureMessage } from './message-metrics.js';
import type { TermHit } from './term-matcher.js';
import { NO_HITS } from './term-matcher.js';

export type SenderAttributes = Readonly<Record<string, string>>;

export interface RuleMatch {
  readonly ruleId: string;
  readonly action: RuleAction;
  readonly severity: Severity;
  /**
   * What matched: the policy term as written, the regex pattern, the link's host, or for a rule that judges the
   * whole message the measurement that crossed its threshold ("caps 18/20 letters").
   */
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
    }
  /** Refused like a deny, and kept for a moderator to approve or reject (a `hold` rule, and no deny). */
  | {
      readonly verdict: 'hold';
      readonly ruleId: string;
      readonly reason: string;
      readonly matches: readonly RuleMatch[];
    };

/** The decision for most messages, shared: nothing matched. */
const CLEAN: Decision = Object.freeze({ verdict: 'allow', matches: Object.freeze([]) });

/**
 * Applies a policy to one message. Deny beats hold, hold beats mask; among denying rules the
 * most severe one, then the first in the policy, gives the reason. Never throws.
 */
export function evaluateMessage(
  content: string,
  senderAttributes: SenderAttributes,
  policy: CompiledPolicy,
): Decision {
  // With terms rules alone, one WebAssembly call finds what the allow lists leave of the terms' hits: for most
  // messages nothing, and the message is clean.
  const blocking = policy.termsOnly ? policy.matcher.blockingHits(content) : undefined;
  if (blocking === undefined) {
    // Transient: finished with before anything else normalizes.
    return evaluateNormalized(normalizeTransient(content, policy.matcher.watch), senderAttributes, policy);
  }
  if (blocking.length === 0) return CLEAN;
  // The spans are in the units of this fold, which the kernel hands back as it is.
  return decide(normalizeTransient(content, policy.matcher.watch), blocking, senderAttributes, policy);
}

/**
 * The decision for content that surely holds nothing the policy acts on, whoever sends it; undefined when that
 * takes the long way. Most messages hold no term the policy blocks, and with only terms rules, that makes them
 * clean: decided in one WebAssembly call, whose fold normalizeTransient() then reuses for the same content.
 */
export function surelyCleanDecision(content: string, policy: CompiledPolicy): Decision | undefined {
  return policy.termsOnly && policy.matcher.isSurelyClean(content) ? CLEAN : undefined;
}

/**
 * evaluateMessage() on content its caller has normalized already, for a caller that needs the normalized text
 * too (the chat log consumers fingerprint it for duplicates): normalizing is most of a clean message's cost.
 * Normalized without the policy's watch, it is normalized again, since the matcher reads what the watch marks.
 */
export function evaluateNormalized(
  given: NormalizedText,
  senderAttributes: SenderAttributes,
  policy: CompiledPolicy,
): Decision {
  const normalized =
    given.watch === policy.matcher.watch ? given : normalizeTransient(given.original, policy.matcher.watch);
  const blocking = blockingHits(policy.matcher.findAll(normalized));
  // Two in five chat messages hold an allow-listed word ("cocktail", "Hitchcock") and nothing else: with
  // terms alone, they are clean before any of the bookkeeping below is made.
  if (policy.termsOnly && blocking.length === 0) return CLEAN;
  return decide(normalized, blocking, senderAttributes, policy);
}

/** The decision, from the blocking hits the allow lists leave (`blocking`, spans in `normalized`'s units). */
function decide(
  normalized: NormalizedText,
  blocking: readonly TermHit<TermTag>[],
  senderAttributes: SenderAttributes,
  policy: CompiledPolicy,
): Decision {
  const content = normalized.original;
  // Made on the first match: most messages have none, and the consumers evaluate every logged message.
  let policyExempt: boolean | undefined;
  let seen: ReportedSpans | undefined;
  const matches: RuleMatch[] = [];
  const report = (ruleIndex: number, term: string, start: number, end: number) => {
    const rule = policy.rules[ruleIndex];
    seen ??= new ReportedSpans();
    if (rule === undefined || !seen.add(ruleIndex, start, end)) return;
    policyExempt ??= isExempt(senderAttributes, policy.document.exemptions);
    matches.push({
      ruleId: rule.id,
      action: rule.action,
      severity: rule.severity,
      term,
      start,
      end,
      exempt: policyExempt || isExempt(senderAttributes, rule.exemptions),
    });
  };
  const reportNormalized = (ruleIndex: number, term: string, start: number, end: number) => {
    const span = originalSpan(normalized, start, end);
    report(ruleIndex, term, span.start, span.end);
  };

  for (const hit of blocking) {
    if (hit.tag.kind === 'block') reportNormalized(hit.tag.rule, hit.source, hit.start, hit.end);
  }
  if (!policy.termsOnly) findOtherMatches(content, normalized, policy, report, reportNormalized);
  if (matches.length === 0) return CLEAN;

  const acted = matches.filter((match) => !match.exempt);
  const denying = mostSevereRule(acted, policy.rules, 'deny');
  if (denying !== undefined) {
    return { verdict: 'deny', ruleId: denying.id, reason: denying.reason, matches };
  }
  const holding = mostSevereRule(acted, policy.rules, 'hold');
  if (holding !== undefined) {
    return { verdict: 'hold', ruleId: holding.id, reason: holding.reason, matches };
  }
  const masked = acted.filter((match) => match.action === 'mask');
  if (masked.length === 0) return { verdict: 'allow', matches };
  return { verdict: 'mask', content: mask(content, masked, policy.document.settings.maskCharacter), matches };
}

type Report = (ruleIndex: number, term: string, start: number, end: number) => void;

/** Most messages report a match or two: up to this many, spans are compared one by one rather than hashed. */
const LISTED_SPANS = 16;

/**
 * The (rule, span) pairs reported so far, so each is reported once. A short list compared in place: string
 * keys in a Set cost more than the rest of a match's bookkeeping. A hostile message's hundreds of matches
 * go to a Set once the list is full, which keeps the cost per match constant.
 */
class ReportedSpans {
  private readonly listed: number[] = [];
  private hashed: Set<string> | undefined;

  /** False when the pair was already reported. */
  add(ruleIndex: number, start: number, end: number): boolean {
    const { listed } = this;
    for (let index = 0; index < listed.length; index += 3) {
      if (listed[index] === ruleIndex && listed[index + 1] === start && listed[index + 2] === end)
        return false;
    }
    if (listed.length < 3 * LISTED_SPANS) {
      listed.push(ruleIndex, start, end);
      return true;
    }
    this.hashed ??= new Set();
    const key = `${ruleIndex}:${start}:${end}`;
    if (this.hashed.has(key)) return false;
    this.hashed.add(key);
    return true;
  }
}

/** The regex, links and whole-message rules. */
function findOtherMatches(
  content: string,
  normalized: NormalizedText,
  policy: CompiledPolicy,
  report: Report,
  reportNormalized: Report,
): void {
  for (const { rule, target, searches } of policy.regexRules) {
    const text = target === 'normalized' ? normalized.text : content;
    const found = target === 'normalized' ? reportNormalized : report;
    for (const { pattern, search } of searches) {
      for (const { start, end } of search(text)) found(rule, pattern, start, end);
    }
  }
  for (const { rule, options } of policy.linksRules) {
    for (const link of findLinks(normalized.text, options.obfuscated)) {
      if (!isAllowedHost(link.host, options.allowedDomains))
        reportNormalized(rule, link.host, link.start, link.end);
    }
  }
  if (policy.wholeMessageRules.length === 0) return;
  const metrics = measureMessage(content);
  for (const index of policy.wholeMessageRules) {
    const rule = policy.rules[index];
    const crossed = rule === undefined ? undefined : thresholdCrossed(rule, metrics);
    if (crossed !== undefined) report(index, crossed, 0, content.length);
  }
}

/** How the message crosses `rule`'s threshold, in words, or undefined when it does not. */
export function thresholdCrossed(rule: Rule, metrics: MessageMetrics): string | undefined {
  switch (rule.kind) {
    case 'caps':
      return metrics.letters >= rule.minLetters && metrics.uppercase > rule.maxRatio * metrics.letters
        ? `caps ${metrics.uppercase}/${metrics.letters} letters`
        : undefined;
    case 'symbols':
      return metrics.visible >= rule.minLength && metrics.symbols > rule.maxRatio * metrics.visible
        ? `symbols ${metrics.symbols}/${metrics.visible} characters`
        : undefined;
    case 'repeated-characters':
      return metrics.longestRun > rule.maxRun
        ? `one character ${metrics.longestRun} times in a row`
        : undefined;
    case 'mentions':
      return metrics.mentions > rule.max ? `${metrics.mentions} mentions` : undefined;
    case 'emoji-flood':
      return metrics.emoji > rule.max ? `${metrics.emoji} emoji` : undefined;
    case 'length':
      return metrics.length > rule.max ? `${metrics.length} characters` : undefined;
    default:
      return undefined;
  }
}

/** Whether the sender's server-minted attributes match one of `exemptions`. */
export function isExempt(attributes: SenderAttributes, exemptions: readonly Exemption[]): boolean {
  // Most policies and rules exempt no one: no callback for them, on every match.
  if (exemptions.length === 0) return false;
  return exemptions.some(({ senderAttribute, values }) => {
    if (!Object.hasOwn(attributes, senderAttribute)) return false;
    const value = attributes[senderAttribute];
    return value !== undefined && values.includes(value);
  });
}

/** The block hits left once the allow lists have had their say, in order; no array made when there are none. */
function blockingHits(hits: readonly TermHit<TermTag>[]): readonly TermHit<TermTag>[] {
  let blocking: TermHit<TermTag>[] | undefined;
  for (const hit of hits) {
    if (hit.tag.kind !== 'block' || isAllowed(hit, hit.tag.rule, hits)) continue;
    blocking ??= [];
    blocking.push(hit);
  }
  return blocking ?? NO_HITS;
}

/** An allow-list entry (among `hits`, which may hold others) wins when its match covers the whole term match. */
function isAllowed(hit: TermHit<TermTag>, ruleIndex: number, hits: readonly TermHit<TermTag>[]): boolean {
  for (const allow of hits) {
    if (
      allow.tag.kind === 'allow' &&
      (allow.tag.rule === 'all' || allow.tag.rule === ruleIndex) &&
      allow.start <= hit.start &&
      hit.end <= allow.end
    )
      return true;
  }
  return false;
}

function mostSevereRule(
  matches: readonly RuleMatch[],
  rules: readonly Rule[],
  action: 'deny' | 'hold',
): Rule | undefined {
  let best: Rule | undefined;
  for (const rule of rules) {
    if (rule.action !== action) continue;
    if (!matches.some((match) => match.ruleId === rule.id)) continue;
    if (best === undefined || SEVERITY_RANK[rule.severity] > SEVERITY_RANK[best.severity]) best = rule;
  }
  return best;
}

function inStartOrder(spans: readonly { start: number }[]): boolean {
  for (let index = 1; index < spans.length; index++) {
    if ((spans[index - 1]?.start ?? 0) > (spans[index]?.start ?? 0)) return false;
  }
  return true;
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
  // Spans come in order of start but for a few: copied and sorted only then.
  const ordered = inStartOrder(spans) ? spans : [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const { start, end } of ordered) {
    if (end <= cursor) continue;
    let index = Math.max(start, cursor);
    out += content.slice(cursor, index);
    while (index < end) {
      // codePointAt() reads a lone surrogate as itself, as foldAt() does.
      const codePoint = content.codePointAt(index) ?? 0;
      const width = codePoint > 0xffff ? 2 : 1;
      const folded = foldCodePointAt(codePoint);
      if (folded === ' ') out += content.slice(index, index + width);
      else if (folded !== '') out += maskCharacter;
      index += width;
    }
    cursor = index;
  }
  return out + content.slice(cursor);
}
