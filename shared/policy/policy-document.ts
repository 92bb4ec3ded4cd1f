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
  readonly rules: readonly Rule[];
  /** What the chat log consumers do after delivery: floods, duplicates, re-checks, strikes and sanctions. */
  readonly enforcement: EnforcementPolicy;
}

export const ENFORCEMENT_MODES = ['enforce', 'shadow'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

/** More than `maxMessages` messages from one user in one room within `windowSeconds`. */
export interface FloodLimit {
  readonly maxMessages: number;
  readonly windowSeconds: number;
}

/** The same message (as normalized) from one user in one room more than `maxRepeats` times within `windowSeconds`. */
export interface DuplicateLimit {
  readonly maxRepeats: number;
  readonly windowSeconds: number;
}

export const LADDER_ACTIONS = ['warn', 'timeout', 'disconnect', 'ban'] as const;
export type LadderAction = (typeof LADDER_ACTIONS)[number];

/** What a user's `strikes`-th strike (within the window) brings; a timeout's length in seconds. */
export type LadderStep =
  | { readonly strikes: number; readonly action: 'warn' | 'disconnect' | 'ban' }
  | { readonly strikes: number; readonly action: 'timeout'; readonly seconds: number };

export interface EnforcementPolicy {
  /** shadow: decide and record every action, call IVS for none. */
  readonly mode: EnforcementMode;
  readonly flood: FloodLimit | undefined;
  readonly duplicates: DuplicateLimit | undefined;
  /** Re-check delivered messages with this policy (the review may have failed open, or the policy changed). */
  readonly recheck: boolean;
  /** Strikes older than this no longer count. */
  readonly strikeWindowMinutes: number;
  /** Ascending by strikes; empty: strikes are counted and nothing else happens. */
  readonly ladder: readonly LadderStep[];
  /** The SendEvent event name of a warning, for client UIs to render. */
  readonly warningEventName: string;
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

/** Categories a categorized lexicon sorts its entries into; a policy sets a level (0–4) per category. */
export const LEXICON_CATEGORIES = ['slur', 'sexual', 'insult', 'profanity', 'drugs', 'violence'] as const;
export type LexiconCategory = (typeof LEXICON_CATEGORIES)[number];
/** 1 mild … 4 severe. A category at level L filters its entries of severity ≥ 5 − L (so level 0 filters none). */
export type EntrySeverity = 1 | 2 | 3 | 4;
export const MAX_LEVEL = 4;

/** deny: refused with the reason; hold: refused with the reason and kept for a moderator to approve or reject; mask. */
export const RULE_ACTIONS = ['deny', 'hold', 'mask'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What every rule has, whatever it looks at. */
interface RuleBase {
  readonly id: string;
  readonly action: RuleAction;
  readonly severity: Severity;
  /** Shown to the sender when the rule denies a message. */
  readonly reason: string;
  readonly exemptions: readonly Exemption[];
}

/** Words and phrases from the policy and its lexicons, matched whole-word on the normalized text. */
export interface TermsRule extends RuleBase {
  readonly kind: 'terms';
  readonly terms: readonly string[];
  readonly allow: readonly string[];
}

/** Where a regex rule's patterns look: the normalized text (folded, as terms see it) or the content as sent. */
export const REGEX_TARGETS = ['normalized', 'original'] as const;
export type RegexTarget = (typeof REGEX_TARGETS)[number];

/** User-written patterns, run with RE2 semantics (linear time, no backreferences or lookaround). */
export interface RegexRule extends RuleBase {
  readonly kind: 'regex';
  readonly patterns: readonly string[];
  readonly target: RegexTarget;
  readonly caseSensitive: boolean;
}

/** Links, written plainly or disguised ("example dot com"), except to allowed domains and their subdomains. */
export interface LinksRule extends RuleBase {
  readonly kind: 'links';
  /** Registrable domains (already resolved through the public suffix list when the policy was loaded). */
  readonly allowedDomains: readonly string[];
  /** Also read "dot" spelled out or bracketed ("example dot com", "example[.]com") as a dot. */
  readonly obfuscated: boolean;
}

/** Mostly capital letters, in a message with at least `minLetters` letters. */
export interface CapsRule extends RuleBase {
  readonly kind: 'caps';
  readonly maxRatio: number;
  readonly minLetters: number;
}

/** Mostly punctuation and symbols (emoji not included), in a message of at least `minLength` visible characters. */
export interface SymbolsRule extends RuleBase {
  readonly kind: 'symbols';
  readonly maxRatio: number;
  readonly minLength: number;
}

/** One character repeated more than `maxRun` times in a row ("!!!!!!!!!!!", "aaaaaaaaaaaa"). */
export interface RepeatedCharactersRule extends RuleBase {
  readonly kind: 'repeated-characters';
  readonly maxRun: number;
}

/** More than `max` @mentions in one message. */
export interface MentionsRule extends RuleBase {
  readonly kind: 'mentions';
  readonly max: number;
}

/** More than `max` emoji (a ZWJ sequence, a flag or a skin-toned emoji counts once). */
export interface EmojiFloodRule extends RuleBase {
  readonly kind: 'emoji-flood';
  readonly max: number;
}

/** Longer than `max` characters (code points). */
export interface LengthRule extends RuleBase {
  readonly kind: 'length';
  readonly max: number;
}

export type Rule =
  | TermsRule
  | RegexRule
  | LinksRule
  | CapsRule
  | SymbolsRule
  | RepeatedCharactersRule
  | MentionsRule
  | EmojiFloodRule
  | LengthRule;

export type RuleKind = Rule['kind'];

/** Rules that point at a span of the message, which a mask can cover; the rest judge the message as a whole. */
export const MASKABLE_KINDS: readonly RuleKind[] = ['terms', 'regex', 'links'];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };
