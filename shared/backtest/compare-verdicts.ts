import type { RuleAction } from '../policy/policy-document.js';
import type { Decision, RuleMatch } from '../rules/evaluate.js';

/**
 * How two policies' verdicts on the same messages differ, accumulated one message at a time: counts, and at most
 * a fixed number of examples per (rule, change), so a week of a busy room costs the same memory as an hour.
 */

/** What the room would do with the message: the review result, masked ALLOWs told apart. */
export type Verdict = 'ALLOW' | 'ALLOW-masked' | 'DENY';
export const VERDICTS: readonly Verdict[] = ['ALLOW', 'ALLOW-masked', 'DENY'];

/**
 * What one rule does to a message: its action when it matched a sender it applies to, else none. A hold counts
 * as a deny: the room does not see the message unless a moderator approves it.
 */
export type RuleEffect = 'none' | Exclude<RuleAction, 'hold'>;

export type RuleChange =
  | 'newly-denies'
  | 'newly-masks'
  | 'no-longer-denies'
  | 'no-longer-masks'
  | 'denies-instead-of-masking'
  | 'masks-instead-of-denying';

export const RULE_CHANGES: readonly RuleChange[] = [
  'newly-denies',
  'newly-masks',
  'no-longer-denies',
  'no-longer-masks',
  'denies-instead-of-masking',
  'masks-instead-of-denying',
];

/** The message as replayed: what the examples show. */
export interface ReplayedMessage {
  readonly id: string;
  readonly roomId: string;
  readonly sendTime: string;
  readonly content: string;
}

export interface ChangeExample {
  readonly messageId: string;
  readonly roomId: string;
  readonly sendTime: string;
  /** The content with the rule's match between « and » (shortened around it when long). */
  readonly text: string;
  /** What matched, as the rule reports it (the term, pattern, host or measurement). */
  readonly matched: string;
  readonly before: Verdict;
  readonly after: Verdict;
}

export interface ChangeBucket {
  readonly count: number;
  readonly examples: readonly ChangeExample[];
}

export interface RuleChanges {
  readonly ruleId: string;
  readonly changes: Partial<Record<RuleChange, ChangeBucket>>;
}

export interface VerdictComparisonResult {
  readonly messages: number;
  /** Messages whose verdict differs between the policies. */
  readonly changed: number;
  /** `transitions[baseline][candidate]`: how many messages went from one verdict to the other. */
  readonly transitions: Readonly<Record<Verdict, Readonly<Record<Verdict, number>>>>;
  /** Rules whose effect changed on at least one message, by rule id. */
  readonly rules: readonly RuleChanges[];
}

/** Characters of context kept on each side of a match in an example. */
const EXAMPLE_CONTEXT = 60;

export function verdictOf(decision: Decision): Verdict {
  if (decision.verdict === 'deny' || decision.verdict === 'hold') return 'DENY';
  return decision.verdict === 'mask' ? 'ALLOW-masked' : 'ALLOW';
}

/** Each rule that acted on the message, with its first acting match (where the examples point). */
export function ruleEffects(
  decision: Decision,
): Map<string, { effect: Exclude<RuleEffect, 'none'>; match: RuleMatch }> {
  const effects = new Map<string, { effect: Exclude<RuleEffect, 'none'>; match: RuleMatch }>();
  for (const match of decision.matches) {
    if (match.exempt || effects.has(match.ruleId)) continue;
    effects.set(match.ruleId, { effect: match.action === 'mask' ? 'mask' : 'deny', match });
  }
  return effects;
}

export function ruleChange(before: RuleEffect, after: RuleEffect): RuleChange | undefined {
  if (before === after) return undefined;
  if (before === 'none') return after === 'deny' ? 'newly-denies' : 'newly-masks';
  if (after === 'none') return before === 'deny' ? 'no-longer-denies' : 'no-longer-masks';
  return after === 'deny' ? 'denies-instead-of-masking' : 'masks-instead-of-denying';
}

/** The content with `[start, end)` marked, cut to some context around it so an example stays one line. */
export function markSpan(content: string, start: number, end: number): string {
  const from = Math.max(0, start - EXAMPLE_CONTEXT);
  const to = Math.min(content.length, end + EXAMPLE_CONTEXT);
  const text = `${content.slice(from, start)}«${content.slice(start, end)}»${content.slice(end, to)}`;
  // One line per example whatever the message holds.
  const flat = text.replace(/[\r\n\t]/g, ' ');
  return `${from > 0 ? '…' : ''}${flat}${to < content.length ? '…' : ''}`;
}

interface MutableBucket {
  count: number;
  readonly examples: ChangeExample[];
}

export class VerdictComparison {
  private messages = 0;
  private changed = 0;
  private readonly transitions = new Map<string, number>();
  private readonly rules = new Map<string, Map<RuleChange, MutableBucket>>();

  constructor(private readonly examplesPerBucket: number) {}

  add(message: ReplayedMessage, baseline: Decision, candidate: Decision): void {
    this.messages += 1;
    const before = verdictOf(baseline);
    const after = verdictOf(candidate);
    if (before !== after) this.changed += 1;
    const transition = `${before} ${after}`;
    this.transitions.set(transition, (this.transitions.get(transition) ?? 0) + 1);
    // Most messages match nothing under either policy: nothing more to do for them.
    if (baseline.matches.length === 0 && candidate.matches.length === 0) return;
    const beforeEffects = ruleEffects(baseline);
    const afterEffects = ruleEffects(candidate);
    for (const ruleId of new Set([...beforeEffects.keys(), ...afterEffects.keys()])) {
      const was = beforeEffects.get(ruleId);
      const is = afterEffects.get(ruleId);
      const change = ruleChange(was?.effect ?? 'none', is?.effect ?? 'none');
      const match = is?.match ?? was?.match;
      if (change === undefined || match === undefined) continue;
      const byChange = this.rules.get(ruleId) ?? new Map<RuleChange, MutableBucket>();
      this.rules.set(ruleId, byChange);
      const bucket = byChange.get(change) ?? { count: 0, examples: [] };
      byChange.set(change, bucket);
      bucket.count += 1;
      if (bucket.examples.length < this.examplesPerBucket) {
        bucket.examples.push({
          messageId: message.id,
          roomId: message.roomId,
          sendTime: message.sendTime,
          text: markSpan(message.content, match.start, match.end),
          matched: match.term,
          before,
          after,
        });
      }
    }
  }

  result(): VerdictComparisonResult {
    const transitions = Object.fromEntries(
      VERDICTS.map((before) => [
        before,
        Object.fromEntries(VERDICTS.map((after) => [after, this.transitions.get(`${before} ${after}`) ?? 0])),
      ]),
    );
    return {
      messages: this.messages,
      changed: this.changed,
      transitions: {
        ALLOW: verdictCounts(transitions.ALLOW),
        'ALLOW-masked': verdictCounts(transitions['ALLOW-masked']),
        DENY: verdictCounts(transitions.DENY),
      },
      rules: [...this.rules.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([ruleId, byChange]) => ({
          ruleId,
          changes: Object.fromEntries(
            RULE_CHANGES.flatMap((change) => {
              const bucket = byChange.get(change);
              return bucket === undefined
                ? []
                : [[change, { count: bucket.count, examples: [...bucket.examples] }]];
            }),
          ),
        })),
    };
  }
}

function verdictCounts(row: Readonly<Record<string, number>> | undefined): Record<Verdict, number> {
  return { ALLOW: row?.ALLOW ?? 0, 'ALLOW-masked': row?.['ALLOW-masked'] ?? 0, DENY: row?.DENY ?? 0 };
}
