import { LATIN_LOOKALIKES, LEET_LETTERS } from '../normalization/lookalikes.js';
import { foldCodePoint } from '../normalization/normalize.js';
import { MASKABLE_KINDS } from '../policy/policy-document.js';
import type { CompiledPolicy } from './compile-policy.js';
import type { Decision, RuleMatch, SenderAttributes } from './evaluate.js';
import { evaluateMessage } from './evaluate.js';

/** The normalization steps a match can need, in pipeline order. */
export const NORMALIZATION_STEPS = [
  'invisible',
  'marks',
  'compatibility',
  'case',
  'diacritics',
  'lookalikes',
  'leetspeak',
  'stretched',
  'spelled-out',
] as const;
export type NormalizationStep = (typeof NORMALIZATION_STEPS)[number];

export const STEP_DESCRIPTIONS: Readonly<Record<NormalizationStep, string>> = {
  invisible: 'invisible characters removed',
  marks: 'combining marks (Zalgo) removed',
  compatibility: 'compatibility forms read as plain letters (fullwidth, mathematical, circled, ligatures)',
  case: 'case folded',
  diacritics: 'accents stripped',
  lookalikes: 'lookalike letters read as Latin (Cyrillic, Greek, small capitals)',
  leetspeak: 'digits and symbols read as letters',
  stretched: 'stretched letters read once',
  'spelled-out': 'letters spelled out one by one read as a word',
};

export interface StepEvidence {
  readonly step: NormalizationStep;
  /** The characters that needed it, as `с U+0441 → c`. */
  readonly examples: readonly string[];
}

export interface ExplainedMatch extends RuleMatch {
  /** The matched characters of the original text. */
  readonly text: string;
  /** The steps without which the match would not have been seen; empty for a plain match or a whole-message rule. */
  readonly steps: readonly StepEvidence[];
}

const MARK = /^\p{M}$/u;
const LETTER = /^\p{L}$/u;
const HAS_MARK = /\p{M}/u;

function describeCharacter(character: string, folded: string): string {
  const code = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `${JSON.stringify(character)} U+${code} → ${folded === '' ? '(nothing)' : JSON.stringify(folded)}`;
}

/** Which normalization steps it took to see `match` in `content`, with the characters that needed each. */
export function explainMatch(content: string, match: RuleMatch, wholeMessage: boolean): ExplainedMatch {
  const text = content.slice(match.start, match.end);
  if (wholeMessage) return { ...match, text, steps: [] };
  const found = new Map<NormalizationStep, string[]>();
  const note = (step: NormalizationStep, example: string) => {
    const examples = found.get(step) ?? [];
    if (examples.length < 3 && !examples.includes(example)) examples.push(example);
    found.set(step, examples);
  };
  // The letters as the matcher read them, and whether single letters stood between separators.
  const letters: string[] = [];
  let lettersSinceSeparator = 0;
  let singleLetterWords = 0;
  for (const character of text) {
    const folded = foldCodePoint(character);
    if (folded === '') {
      note(MARK.test(character) ? 'marks' : 'invisible', describeCharacter(character, folded));
      continue;
    }
    const isSeparator = folded === ' ' || !/[\p{L}\p{N}]/u.test(folded);
    const leet = folded.length === 1 ? (LEET_LETTERS[folded.charCodeAt(0)] ?? 0) : 0;
    const lookalike = folded.length === 1 ? (LATIN_LOOKALIKES[folded.charCodeAt(0)] ?? 0) : 0;
    // What the matcher read: the Latin letter a lookalike or a leet symbol stands for, else the fold.
    const read =
      lookalike !== 0 ? String.fromCharCode(lookalike) : leet !== 0 ? String.fromCharCode(leet) : folded;
    const example = describeCharacter(character, read);
    if (isSeparator && leet === 0) {
      if (lettersSinceSeparator === 1) singleLetterWords++;
      lettersSinceSeparator = 0;
      continue;
    }
    lettersSinceSeparator++;
    if (character.normalize('NFKC') !== character.normalize('NFC')) note('compatibility', example);
    else if (character !== character.toLowerCase()) note('case', example);
    if (HAS_MARK.test(character.normalize('NFD')) && LETTER.test(character)) note('diacritics', example);
    // Small capitals and negative circled letters: a Latin letter that neither NFKC nor accent stripping gives.
    const smallCapital =
      /^[a-z]$/.test(folded) && !/^[a-z]$/i.test(character.normalize('NFKD').replace(/\p{M}/gu, ''));
    if (lookalike !== 0 || smallCapital) note('lookalikes', example);
    if (leet !== 0 && !LETTER.test(folded)) note('leetspeak', example);
    letters.push(read);
  }
  if (lettersSinceSeparator === 1) singleLetterWords++;
  if (singleLetterWords >= 3) note('spelled-out', JSON.stringify(text));
  const stretched = letters.join('').match(/(\p{L})\1{2,}/u);
  if (stretched !== null && !match.term.includes(stretched[0]))
    note('stretched', JSON.stringify(stretched[0]));
  const steps = NORMALIZATION_STEPS.flatMap((step) => {
    const examples = found.get(step);
    return examples === undefined ? [] : [{ step, examples }];
  });
  return { ...match, text, steps };
}

/** The decision on `content` with every match explained: what `ivs-mod explain` prints. */
export function explainMessage(
  content: string,
  senderAttributes: SenderAttributes,
  policy: CompiledPolicy,
): { readonly decision: Decision; readonly matches: readonly ExplainedMatch[] } {
  const decision = evaluateMessage(content, senderAttributes, policy);
  const matches = decision.matches.map((match) => {
    const rule = policy.rules.find((candidate) => candidate.id === match.ruleId);
    return explainMatch(content, match, rule === undefined || !MASKABLE_KINDS.includes(rule.kind));
  });
  return { decision, matches };
}
