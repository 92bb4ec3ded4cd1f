/**
 * Counts that the whole-message rules (caps, symbols, repeated-characters,
 * mentions, emoji-flood, length) compare with their thresholds, taken from
 * the content as sent, in one pass over its code points.
 */
export interface MessageMetrics {
  /** Code points. */
  readonly length: number;
  /** Code points that are not white space. */
  readonly visible: number;
  readonly letters: number;
  readonly uppercase: number;
  /** Punctuation and symbols, emoji excluded (they have their own rule). */
  readonly symbols: number;
  /** Emoji: a ZWJ sequence, a flag (two regional indicators) or an emoji with a skin tone counts once. */
  readonly emoji: number;
  /** "@name" where "@" starts a word. */
  readonly mentions: number;
  /** The longest run of one character repeated (letters compared without case), white space excluded. */
  readonly longestRun: number;
}

// Sticky, so each test reads the code point in place instead of a substring of it.
const LETTER = /\p{L}/uy;
const UPPERCASE = /\p{Lu}/uy;
const SPACE = /[\s\p{Z}]/uy;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/uy;
const SYMBOL = /[\p{P}\p{S}]/uy;
const WORD = /[\p{L}\p{N}_]/uy;

const ZERO_WIDTH_JOINER = 0x200d;
const VARIATION_SELECTOR_16 = 0xfe0f;
const COMBINING_KEYCAP = 0x20e3;

function at(pattern: RegExp, text: string, index: number): boolean {
  pattern.lastIndex = index;
  return pattern.test(text);
}

export function measureMessage(content: string): MessageMetrics {
  let length = 0;
  let visible = 0;
  let letters = 0;
  let uppercase = 0;
  let symbols = 0;
  let emoji = 0;
  let mentions = 0;
  let longestRun = 0;
  let run = 0;
  let previous = -1;
  let previousCode = -1;
  let pendingRegional = false;
  for (let index = 0; index < content.length; ) {
    const code = content.codePointAt(index) ?? 0;
    const width = code > 0xffff ? 2 : 1;
    length++;
    // Letters compare without case for runs ("AaAaAa" repeats one letter).
    const folded = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
    const isSpace = code < 0x80 ? code === 0x20 || (code >= 0x09 && code <= 0x0d) : at(SPACE, content, index);
    if (isSpace) {
      run = 0;
      previous = -1;
    } else {
      visible++;
      run = folded === previous ? run + 1 : 1;
      previous = folded;
      if (run > longestRun) longestRun = run;
      if (code < 0x80) {
        const isLower = code >= 0x61 && code <= 0x7a;
        const isUpper = code >= 0x41 && code <= 0x5a;
        if (isLower || isUpper) letters++;
        if (isUpper) uppercase++;
        else if (!isLower && !(code >= 0x30 && code <= 0x39) && code !== 0x5f) symbols++;
        if (code === 0x40 && !isWordBefore(content, index) && at(WORD, content, index + 1)) mentions++;
      } else if (code >= 0x1f1e6 && code <= 0x1f1ff) {
        // Regional indicators: two make one flag.
        if (!pendingRegional) emoji++;
        pendingRegional = !pendingRegional;
      } else if (at(PICTOGRAPHIC, content, index)) {
        if (previousCode !== ZERO_WIDTH_JOINER) emoji++;
      } else if (code === COMBINING_KEYCAP && previousCode === VARIATION_SELECTOR_16) {
        emoji++;
      } else if (code >= 0x1f3fb && code <= 0x1f3ff) {
        // A skin tone modifies the emoji before it: neither a symbol nor an emoji of its own.
      } else if (at(LETTER, content, index)) {
        letters++;
        if (at(UPPERCASE, content, index)) uppercase++;
      } else if (at(SYMBOL, content, index)) {
        symbols++;
      }
    }
    if (code < 0x1f1e6 || code > 0x1f1ff) pendingRegional = false;
    previousCode = code;
    index += width;
  }
  return { length, visible, letters, uppercase, symbols, emoji, mentions, longestRun };
}

function isWordBefore(content: string, index: number): boolean {
  if (index === 0) return false;
  const before = content.codePointAt(index - 1) ?? 0;
  // The low half of a pair: step back to its code point.
  const start = before >= 0xdc00 && before <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return at(WORD, content, start);
}
