/**
 * The validated, self-contained form of a moderation policy file: lexicon
 * references are already expanded into terms, defaults are filled in. It is
 * plain JSON, so the build can inline it into the review bundle and the hot
 * path never parses YAML or resolves files.
 */
export interface PolicyDocument {
  readonly version: 1;
  readonly name: string;
  readonly settings: PolicySettings;
  /** Senders these apply to skip every rule. */
  readonly exemptions: readonly Exemption[];
  /** Allow-list entries that win over matches of every rule. */
  readonly allow: readonly string[];
  readonly rules: readonly TermsRule[];
}

export interface PolicySettings {
  /** Replaces each masked character; one code point. */
  readonly maskCharacter: string;
  /** Content longer than this (UTF-16 units) is not reviewed: it gets the stage's failure verdict. */
  readonly maxContentLength: number;
  /** Match terms whose letters are stretched ("fuuuck", "shhhit"); off by default while it costs throughput. */
  readonly stretchedLetters: boolean;
  /** Read digits and symbols as letters inside words ("sh1t", "$lut"); off by default while it costs throughput. */
  readonly leetspeak: boolean;
}

/**
 * Matches a sender whose server-minted attribute (set at CreateChatToken, sent
 * by IVS as `Sender.Attributes`) equals one of `values`. Message attributes are
 * client-controlled and never consulted.
 */
export interface Exemption {
  readonly senderAttribute: string;
  readonly values: readonly string[];
}

export const RULE_ACTIONS = ['deny', 'mask'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface TermsRule {
  readonly id: string;
  readonly kind: 'terms';
  readonly action: RuleAction;
  readonly severity: Severity;
  /** Shown to the sender when the rule denies a message. */
  readonly reason: string;
  readonly terms: readonly string[];
  readonly allow: readonly string[];
  readonly exemptions: readonly Exemption[];
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };
