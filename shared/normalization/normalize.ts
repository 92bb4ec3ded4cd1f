/**
 * Normalization for matching: chat text is folded into a canonical form in which
 * visually or semantically equal spellings compare equal, while every UTF-16 unit
 * of the folded text keeps the span of the original text it came from.
 *
 * Index vocabulary (used everywhere in the engine): spans are half-open
 * `[start, end)` UTF-16 offsets. `originStart[k]`/`originEnd[k]` give the
 * original span that produced unit `k` of `text`.
 */
export interface NormalizedText {
  readonly original: string;
  readonly text: string;
  readonly originStart: Int32Array;
  readonly originEnd: Int32Array;
  /** 1 where the unit belongs to a letter, digit or (non-Latin) mark: the units words are made of. */
  readonly isWord: Uint8Array;
}

/**
 * Format characters and fillers that render as nothing: zero-width spaces and
 * joiners, soft hyphen, bidi controls, variation selectors, tag characters,
 * Hangul fillers. Removed so they cannot split a word.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: tested against one code point at a time, never a sequence.
  /^[\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]$/u;
/** Anything that separates words: spaces of every width, controls, the blank Braille pattern. */
const SEPARATOR = /^[\s\p{Z}\p{Cc}\u2800]$/u;
/**
 * Combining marks that decorate Latin, Greek and Cyrillic letters (accents,
 * Zalgo stacks). Marks of other scripts (Devanagari vowel signs, Arabic
 * harakat) carry meaning and are kept.
 */
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const WORD_CODE_POINT = /^[\p{L}\p{N}\p{M}]$/u;

/**
 * Folds one code point: NFKC (fullwidth, circled, mathematical and ligature
 * forms to plain letters), full case folding (lower-upper-lower folds `ẞ` and `ß` to
 * `ss` and `ſ` to `s`, which `toLowerCase` alone does not), diacritics
 * stripped, invisible characters removed, every separator to one space.
 * Returns '' for a code point that vanishes.
 */
export function foldCodePoint(char: string): string {
  if (INVISIBLE.test(char)) return '';
  if (SEPARATOR.test(char)) return ' ';
  const folded = char.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase();
  return folded.normalize('NFD').replace(DIACRITICS, '').normalize('NFC');
}

const ASCII_FOLD: readonly string[] = Array.from({ length: 128 }, (_, code) =>
  foldCodePoint(String.fromCharCode(code)),
);
const foldCache = new Map<number, string>();
const FOLD_CACHE_LIMIT = 65_536;

function foldCached(codePoint: number, char: string): string {
  const cached = foldCache.get(codePoint);
  if (cached !== undefined) return cached;
  const folded = foldCodePoint(char);
  // Bounded so a flood of distinct rare code points cannot grow memory without limit.
  if (foldCache.size < FOLD_CACHE_LIMIT) foldCache.set(codePoint, folded);
  return folded;
}

/** The folded form of the code point that starts at `index` in `text`, and the code point's UTF-16 length. */
export function foldAt(text: string, index: number): { folded: string; width: number } {
  const code = text.charCodeAt(index);
  if (code < 0x80) return { folded: ASCII_FOLD[code] ?? '', width: 1 };
  const codePoint = text.codePointAt(index) ?? code;
  const width = codePoint > 0xffff ? 2 : 1;
  return { folded: foldCached(codePoint, String.fromCodePoint(codePoint)), width };
}

const wordCache = new Map<number, boolean>();
function isWordCodePoint(codePoint: number): boolean {
  if (codePoint < 0x80) {
    return (
      (codePoint >= 0x30 && codePoint <= 0x39) ||
      (codePoint >= 0x61 && codePoint <= 0x7a) ||
      (codePoint >= 0x41 && codePoint <= 0x5a)
    );
  }
  let word = wordCache.get(codePoint);
  if (word === undefined) {
    word = WORD_CODE_POINT.test(String.fromCodePoint(codePoint));
    if (wordCache.size < FOLD_CACHE_LIMIT) wordCache.set(codePoint, word);
  }
  return word;
}

/**
 * Normalizes `original` for matching. Runs of separators collapse to one
 * space. A code point that vanishes (a mark, an invisible character, a
 * repeated separator) is attributed to the unit before it, so a span that
 * ends on a letter also covers the marks stacked on that letter.
 */
export function normalize(original: string): NormalizedText {
  const length = original.length;
  // Folding can expand (ß → ss, ﬃ → ffi, ㍱ → hpa): grow lazily past the input length.
  let capacity = length + 8;
  let originStart = new Int32Array(capacity);
  let originEnd = new Int32Array(capacity);
  let isWord = new Uint8Array(capacity);
  let text = '';
  let size = 0;

  for (let index = 0; index < length; ) {
    const { folded, width } = foldAt(original, index);
    const end = index + width;
    if (folded === '' || (folded === ' ' && size > 0 && text.charCodeAt(size - 1) === 0x20)) {
      if (size > 0) originEnd[size - 1] = end;
    } else {
      if (size + folded.length > capacity) {
        capacity = Math.max(capacity * 2, size + folded.length);
        originStart = grow(originStart, capacity);
        originEnd = grow(originEnd, capacity);
        isWord = growBytes(isWord, capacity);
      }
      for (let unit = 0; unit < folded.length; ) {
        const codePoint = folded.codePointAt(unit) ?? 0;
        const units = codePoint > 0xffff ? 2 : 1;
        const word = isWordCodePoint(codePoint) ? 1 : 0;
        for (let k = 0; k < units; k++) {
          originStart[size] = index;
          originEnd[size] = end;
          isWord[size] = word;
          size++;
        }
        unit += units;
      }
      text += folded;
    }
    index = end;
  }

  return {
    original,
    text,
    originStart: originStart.subarray(0, size),
    originEnd: originEnd.subarray(0, size),
    isWord: isWord.subarray(0, size),
  };
}

function grow(array: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}

function growBytes(array: Uint8Array<ArrayBuffer>, capacity: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(capacity);
  next.set(array);
  return next;
}

/** The normalized form alone, for lexicon terms and allow-list entries. */
export function normalizeText(value: string): string {
  return normalize(value).text;
}
