/**
 * Normalization for matching: chat text is folded into a canonical form in which
 * visually or semantically equal spellings compare equal, while every UTF-16 unit
 * of the folded text keeps the span of the original text it came from.
 *
 * Index vocabulary (used everywhere in the engine): spans are half-open
 * `[start, end)` UTF-16 offsets.
 */
import {
  CANDIDATE_SHIFT,
  DROP,
  IS_WATCHED,
  MAX_EXPANSION,
  NOT_ONE_UNIT,
  PICTOGRAPH_HIGH,
  SPACE_FLAG,
  STARTS_WORD,
  UNKNOWN,
  WATCH_FLAG,
  WATCH_SHIFT,
  WORD_FLAG,
  WORD_SHIFT,
} from './fold-constants.js';
import type { FoldKernel } from './fold-kernel.js';
import { createFoldKernel } from './fold-kernel.js';

export interface NormalizedText {
  readonly original: string;
  /** The normalized text as UTF-16 units: `buffer` up to `length`. */
  readonly units: Uint16Array;
  /** The normalized text as a string (decoded on first use). */
  readonly text: string;
  /**
   * Where each unit came from, as runs: `[unitStart, originalStart, step, …]`
   * triples, sorted by unitStart. Inside a run, unit `k` comes from
   * `originalStart + step × (k − unitStart)`: step 1 for a run of characters
   * that fold to the same width, 0 for the units of one expanded character
   * (ß → ss). Undefined when the units map one for one onto `original`.
   */
  readonly runs: readonly number[] | undefined;
  /** Ascending unit offsets where a word starts (a word unit after a non-word unit or at the start). */
  readonly wordStarts: readonly number[];
  /** The watch passed to normalize(), if any. */
  readonly watch: UnitWatch | undefined;
  /** Ascending unit offsets of the normalized units the watch marks. */
  readonly watched: readonly number[];

  // The same, as the matcher reads them: no array or view is made per message.
  /**
   * The units in `[0, length)`, then a 0, which normalization never produces (NUL folds to a
   * space): a look one unit past the end sees a non-word unit, as `units[length] ?? 0` would.
   * Units after that are stale.
   */
  readonly buffer: Uint16Array;
  readonly length: number;
  /**
   * wordStarts and watched in one ascending list, in `[0, candidateCount)` (entries after that
   * are stale): `offset << CANDIDATE_SHIFT | kind`, kind STARTS_WORD, IS_WATCHED or both.
   */
  readonly candidates: Int32Array;
  readonly candidateCount: number;
}

export { CANDIDATE_SHIFT, IS_WATCHED, STARTS_WORD } from './fold-constants.js';

/**
 * Normalized units whose offsets normalize() lists in `watched` (a matcher's
 * rare start units). Made once with createUnitWatch(): it carries its own
 * copy of the fold table with the watch marked in, so checking costs no extra
 * read per unit.
 */
export interface UnitWatch {
  readonly units: Uint8Array;
  readonly folds: Int32Array;
  /** The WebAssembly pass over `folds` (which live in its memory), where WebAssembly runs. */
  readonly kernel: FoldKernel | undefined;
}

/** `extraBytes`: room the caller wants in the kernel's memory, from its `freeAt` (see TermMatcher). */
export function createUnitWatch(units: Uint8Array, extraBytes = 0): UnitWatch {
  const kernel = createFoldKernel(extraBytes);
  return { units, folds: newFoldTable(units, kernel), kernel };
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
 * Zalgo stacks, including the Cyrillic enclosing marks Zalgo generators use). Marks of other scripts (Devanagari vowel signs, Arabic
 * harakat) carry meaning and are kept.
 */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: a set of marks to delete, each on its own.
const DIACRITICS = /[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const WORD_CODE_POINT = /^[\p{L}\p{N}\p{M}]$/u;
/**
 * Letter forms that NFKC leaves alone but that read as a Latin letter anywhere
 * they appear: small capitals (ᴀ ʙ ᴄ …, phonetic symbols in origin) and the
 * negative circled and negative squared capitals (🅐 🅰 …). Curated, not a TR39
 * skeleton, which would also turn "m" into "rn".
 */
const LETTER_LOOKALIKES: ReadonlyMap<number, string> = new Map([
  ...[...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡ\u0078ʏᴢ'].map((small, index): [number, string] => [
    small.codePointAt(0) ?? 0,
    String.fromCharCode(0x61 + index),
  ]),
  ...Array.from({ length: 26 }, (_, index): [number, string] => [
    0x1f150 + index,
    String.fromCharCode(0x61 + index),
  ]),
  ...Array.from({ length: 26 }, (_, index): [number, string] => [
    0x1f170 + index,
    String.fromCharCode(0x61 + index),
  ]),
]);

/**
 * Folds one code point: curated lookalike letters, NFKC (fullwidth, circled,
 * mathematical and ligature forms to plain letters), full case folding (lower-upper-lower folds `ẞ` and
 * `ß` to `ss` and `ſ` to `s`, which `toLowerCase` alone does not), diacritics
 * stripped, invisible characters removed, every separator to one space.
 * Returns '' for a code point that vanishes.
 */
export function foldCodePoint(char: string): string {
  if (INVISIBLE.test(char)) return '';
  if (SEPARATOR.test(char)) return ' ';
  // Marks go before case mapping too: U+0345 (a combining mark) upper-cases to the letter Ι.
  const unmarked = char.normalize('NFKD').replace(DIACRITICS, '').normalize('NFKC');
  const folded = unmarked.toLowerCase().toUpperCase().toLowerCase();
  const stripped = folded.normalize('NFD').replace(DIACRITICS, '').normalize('NFC');
  // After NFKC, so that forms NFKC turns into a lookalike (ᶦ → ɪ) fold all the way, as a second pass would.
  let out = '';
  for (const part of stripped) out += LETTER_LOOKALIKES.get(part.codePointAt(0) ?? 0) ?? part;
  return out;
}

/** Bounded so a flood of distinct rare code points cannot grow memory without limit. */
const ASTRAL_CACHE_LIMIT = 65_536;
/** Folds of BMP code points, filled on first sight: one array read per character afterwards. */
const bmpFolds: (string | undefined)[] = new Array(0x10000);
const astralFolds = new Map<number, string>();
/** Word-ness of BMP code points: 0 not yet known, 1 word, 2 not a word. */
const bmpWords = new Uint8Array(0x10000);
const astralWords = new Map<number, boolean>();

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function foldOf(codePoint: number): string {
  if (codePoint < 0x10000) {
    let folded = bmpFolds[codePoint];
    if (folded === undefined) {
      folded = foldCodePoint(String.fromCharCode(codePoint));
      bmpFolds[codePoint] = folded;
    }
    return folded;
  }
  let folded = astralFolds.get(codePoint);
  if (folded === undefined) {
    folded = foldCodePoint(String.fromCodePoint(codePoint));
    if (astralFolds.size < ASTRAL_CACHE_LIMIT) astralFolds.set(codePoint, folded);
  }
  return folded;
}

/** The code point starting at `index`: a lone surrogate stands for itself. */
function codePointAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return isSurrogate(code) ? (text.codePointAt(index) ?? code) : code;
}

/**
 * The folded form of code point `codePoint` (a lone surrogate stands for itself): foldAt() without the object,
 * for loops over a string's code points.
 */
export function foldCodePointAt(codePoint: number): string {
  return foldOf(codePoint);
}

/** The folded form of the code point that starts at `index` in `text`, and the code point's UTF-16 length. */
export function foldAt(text: string, index: number): { folded: string; width: number } {
  const codePoint = codePointAt(text, index);
  return { folded: foldOf(codePoint), width: codePoint > 0xffff ? 2 : 1 };
}

/** 1 for the ASCII letters and digits: the word units of most chat. */
const ASCII_WORD_UNITS: Readonly<Uint8Array> = Uint8Array.from({ length: 0x80 }, (_, code) =>
  WORD_CODE_POINT.test(String.fromCharCode(code)) ? 1 : 0,
);

function isWordCodePoint(codePoint: number): boolean {
  if (codePoint < 0x10000) {
    const known = bmpWords[codePoint];
    if (known !== 0) return known === 1;
    const word = WORD_CODE_POINT.test(String.fromCharCode(codePoint));
    bmpWords[codePoint] = word ? 1 : 2;
    return word;
  }
  let word = astralWords.get(codePoint);
  if (word === undefined) {
    word = WORD_CODE_POINT.test(String.fromCodePoint(codePoint));
    if (astralWords.size < ASTRAL_CACHE_LIMIT) astralWords.set(codePoint, word);
  }
  return word;
}

/** Whether unit `index` of `units` belongs to a word (a letter, digit or kept mark); a surrogate half counts as its pair. */
export function isWordUnit(units: Uint16Array, index: number): boolean {
  const code = units[index] ?? 0;
  if (code < 0x80) return ASCII_WORD_UNITS[code] === 1;
  if (!isSurrogate(code)) return isWordCodePoint(code);
  const high = code < 0xdc00 ? code : (units[index - 1] ?? 0);
  const low = code < 0xdc00 ? (units[index + 1] ?? 0) : code;
  const paired = high >= 0xd800 && high < 0xdc00 && low >= 0xdc00 && low <= 0xdfff;
  return isWordCodePoint(paired ? (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000 : code);
}

/** Whether unit `index` of `text` belongs to a word. */
export function isWordAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 0x80) return ASCII_WORD_UNITS[code] === 1;
  if (!isSurrogate(code)) return isWordCodePoint(code);
  return isWordCodePoint(
    code >= 0xdc00 && index > 0 ? codePointAt(text, index - 1) : codePointAt(text, index),
  );
}

/**
 * Normalizes `original` for matching. Runs of separators collapse to one
 * space. A code point that vanishes (a mark, an invisible character, a
 * repeated separator) belongs to the span of the unit before it, so a span
 * that ends on a letter also covers the marks stacked on that letter.
 * `watch` marks units whose offsets the result lists in `watched`.
 */
export function normalize(original: string, watch?: UnitWatch): NormalizedText {
  const transient = normalizeTransient(original, watch);
  return new Normalized(
    original,
    transient.buffer.slice(0, transient.length + 1),
    transient.length,
    transient.runs === undefined ? undefined : Int32Array.from(transient.runs),
    transient.runs?.length ?? 0,
    watch,
    transient.candidates.slice(0, transient.candidateCount),
    transient.candidateCount,
  );
}

/**
 * normalize() without the copy, for the review path: the result is one object, reading buffers, that the
 * next call overwrites, so a caller must be done with it before it normalizes again.
 */
export function normalizeTransient(original: string, watch?: UnitWatch): NormalizedText {
  // The common case in WebAssembly (fold-pass.as.ts); the rest, and what it gives up on, below.
  const kernel = watch === undefined ? unitKernel : watch.kernel;
  if (kernel !== undefined) {
    const out = kernel.fold(original);
    if (out >= 0) return kernelResult(original, kernel, out, watch);
  }
  return normalizeInJs(original, watch);
}

/** The kernel's pass as a transient result: its buffers, as normalizePass() returns its own. */
function kernelResult(
  original: string,
  kernel: FoldKernel,
  out: number,
  watch: UnitWatch | undefined,
): NormalizedText {
  const { runs, result } = kernel;
  const runCount = result[2] ?? 0;
  const identity =
    runCount === 0 || (runCount === 3 && runs[1] === 0 && runs[2] === 1 && out === original.length);
  return transientResult.reset(
    original,
    kernel.units,
    out,
    identity ? undefined : runs,
    runCount,
    watch,
    kernel.candidates,
    result[1] ?? 0,
  );
}

/**
 * normalizeTransient() without the kernel: every message where WebAssembly cannot run, and those its pass
 * gives up on (see fold-pass.as.ts). Exported for the tests that hold both passes to the same results.
 */
export function normalizeInJs(original: string, watch?: UnitWatch): NormalizedText {
  const length = original.length;
  // Read through a typed copy of the input: typed-array reads cost far less than charCodeAt().
  if (input.length <= length) ({ input, inputBytes } = inputBuffer(length + 1));
  inputBytes.write(original, 0, 'utf16le');
  // Ends the input for the fast loop's look at the unit after a high surrogate, which would
  // otherwise read what a longer message left there.
  input[length] = 0;
  // A run opens at most once per input code point, and once per stretch of the fast loop.
  if (runList.length < 6 * (length + 1)) runList = new Int32Array(6 * (length + 1));
  reserve(length + 2);
  for (;;) {
    const normalized = normalizePass(original, length, watch);
    if (normalized !== undefined) return normalized;
    reserve(output.length * 2);
  }
}

/**
 * One pass over the input in `input`, or undefined when folds that expand (ß → ss) need more
 * room than the output has. The buffers cannot change during a pass: that keeps the fast loop
 * tight, as does leaving everything else to slowStep(), apart from it.
 */
function normalizePass(
  original: string,
  length: number,
  watch: UnitWatch | undefined,
): NormalizedText | undefined {
  const units16 = input;
  const units = output;
  const lists = candidateList;
  const runs = runList;
  // A table that marks nothing keeps the loop free of undefined checks.
  const watching = watch?.units ?? NOTHING_WATCHED;
  const folds = watch?.folds ?? unitFolds;
  let index = 0;
  let out = 0;
  let count = 0;
  let runCount = 0;
  // The flags (WORD_FLAG, SPACE_FLAG) of the last unit written.
  let previous = 0;
  // Whether units still continue the last step-1 run (original offset − unit offset unchanged).
  let aligned = false;
  // The output has room for the rest of the input, one unit per unit, and 2 more: the fast loop
  // writes no more than it reads, and slowStep() keeps that room or gives up.
  while (index < length) {
    // Units written by the fast loop continue one step-1 run, opened up front and withdrawn if none is written.
    const openedRun = !aligned;
    if (openedRun) {
      runs[runCount] = out;
      runs[runCount + 1] = index;
      runs[runCount + 2] = 1;
      runCount += 3;
    }
    const firstOut = out;
    // The common case, kept tight: a BMP unit that folds to one unit (case, accents, width variants). Two
    // units a pass first: V8 checks each typed array's map and reloads its length and data pointer on every
    // pass through a loop, once for both units' reads and writes here. The loop after it takes the last
    // unit, and sees again (and stops at) the unit this one stopped at.
    for (; index + 1 < length; index += 2) {
      const entry = folds[units16[index] ?? 0] ?? UNKNOWN;
      const second = folds[units16[index + 1] ?? 0] ?? UNKNOWN;
      if (entry >>> 0 >= PICTOGRAPH_HIGH || (entry & previous & SPACE_FLAG) !== 0) break;
      const kind =
        (((entry & ~previous) >>> WORD_SHIFT) & STARTS_WORD) | ((entry >>> (WATCH_SHIFT - 1)) & IS_WATCHED);
      lists[count] = (out << CANDIDATE_SHIFT) | kind;
      count += (kind + 3) >>> 2;
      units[out++] = entry;
      previous = entry;
      if (second >>> 0 >= PICTOGRAPH_HIGH || (second & previous & SPACE_FLAG) !== 0) {
        index++;
        break;
      }
      const secondKind =
        (((second & ~previous) >>> WORD_SHIFT) & STARTS_WORD) | ((second >>> (WATCH_SHIFT - 1)) & IS_WATCHED);
      lists[count] = (out << CANDIDATE_SHIFT) | secondKind;
      count += (secondKind + 3) >>> 2;
      units[out++] = second;
      previous = second;
    }
    for (; index < length; index++) {
      const code = units16[index] ?? 0;
      const entry = folds[code] ?? UNKNOWN;
      // One unsigned test for both: a negative entry, or a pictograph's high surrogate. Code for
      // pictographs in this loop, rare as they are, would slow every unit: they are handled below.
      if (entry >>> 0 >= PICTOGRAPH_HIGH) break;
      // A space after a space leaves the loop, to be collapsed by slowStep().
      if ((entry & previous & SPACE_FLAG) !== 0) break;
      // Branch-free list, since where words start is unpredictable: the entry is written always,
      // and the count moves past it only when its kind is not 0 ((kind + 3) >> 2 is 0 or 1).
      const kind =
        (((entry & ~previous) >>> WORD_SHIFT) & STARTS_WORD) | ((entry >>> (WATCH_SHIFT - 1)) & IS_WATCHED);
      lists[count] = (out << CANDIDATE_SHIFT) | kind;
      count += (kind + 3) >>> 2;
      previous = entry;
      // The store keeps the low 16 bits: the folded unit, without the flags.
      units[out++] = entry;
    }
    if (out > firstOut) aligned = true;
    else if (openedRun) runCount -= 3;
    if (index >= length) break;
    // Pictographic emoji (surrogate pairs that fold to themselves), common enough not to go to slowStep().
    const code = units16[index] ?? 0;
    const entry = folds[code] ?? UNKNOWN;
    const low = units16[index + 1] ?? 0;
    if (entry >= PICTOGRAPH_HIGH && isPictograph(code, low)) {
      if (!aligned) {
        runs[runCount] = out;
        runs[runCount + 1] = index;
        runs[runCount + 2] = 1;
        runCount += 3;
        aligned = true;
      }
      if ((entry & WATCH_FLAG) !== 0) lists[count++] = (out << CANDIDATE_SHIFT) | IS_WATCHED;
      previous = 0;
      units[out++] = code;
      units[out++] = low;
      index += 2;
      continue;
    }
    pass.index = index;
    pass.out = out;
    pass.count = count;
    pass.runCount = runCount;
    pass.previous = previous;
    pass.aligned = aligned;
    if (!slowStep(length, folds, watching, watch === undefined ? unitKernel : watch.kernel)) return undefined;
    ({ index, out, count, runCount, previous, aligned } = pass);
  }
  // The 0 after the units (see NormalizedText.buffer): room for it is the 2 kept spare.
  units[out] = 0;
  const identity = runCount === 0 || (runCount === 3 && runs[1] === 0 && runs[2] === 1 && out === length);
  // One result object for every call, like the buffers it reads: nothing is allocated for a message.
  return transientResult.reset(
    original,
    units,
    out,
    identity ? undefined : runs,
    runCount,
    watch,
    lists,
    count,
  );
}

/** The state of normalizePass(), handed to slowStep() and back. */
const pass = { index: 0, out: 0, count: 0, runCount: 0, previous: 0, aligned: false };

/**
 * Everything but the fast loop, one code point at `pass.index`: a unit seen for the first
 * time, a code point whose fold vanishes, collapses into the previous space, or has another
 * width. False when the output lacks room for the fold and the rest of the input.
 */
function slowStep(
  length: number,
  folds: Int32Array,
  watching: Uint8Array,
  kernel: FoldKernel | undefined,
): boolean {
  let { index, out, count, runCount, previous, aligned } = pass;
  const code = input[index] ?? 0;
  if (folds[code] === UNKNOWN) {
    learnUnitFold(code, folds, watching, kernel);
    return true;
  }
  const low = input[index + 1] ?? 0;
  const paired = code >= 0xd800 && code < 0xdc00 && index + 1 < length && low >= 0xdc00 && low <= 0xdfff;
  const width = paired ? 2 : 1;
  const folded = foldOf(paired ? (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000 : code);
  // A vanishing code point (a mark, a zero-width space) leaves word state as it was: it splits nothing.
  if (folded === '' || (folded === ' ' && (previous & SPACE_FLAG) !== 0)) {
    pass.aligned = false;
    pass.index = index + width;
    return true;
  }
  if (output.length < out + folded.length + (length - index - width) + 2) return false;
  const units = output;
  const runs = runList;
  if (folded.length === width) {
    if (!aligned) {
      runs[runCount] = out;
      runs[runCount + 1] = index;
      runs[runCount + 2] = 1;
      runCount += 3;
      aligned = true;
    }
  } else {
    runs[runCount] = out;
    runs[runCount + 1] = index;
    runs[runCount + 2] = 0;
    runCount += 3;
    aligned = false;
  }
  for (let k = 0; k < folded.length; ) {
    const codePoint = folded.codePointAt(k) ?? 0;
    // A fold can itself start with a space (U+FE70 → " ً"): it joins a space before it.
    if (codePoint === 0x20 && (previous & SPACE_FLAG) !== 0) {
      k++;
      continue;
    }
    const isWord = isWordCodePoint(codePoint);
    const unit = folded.charCodeAt(k);
    const kind =
      (isWord && (previous & WORD_FLAG) === 0 ? STARTS_WORD : 0) | (watching[unit] === 1 ? IS_WATCHED : 0);
    if (kind !== 0) candidateList[count++] = (out << CANDIDATE_SHIFT) | kind;
    previous = (isWord ? WORD_FLAG : 0) | (codePoint === 0x20 ? SPACE_FLAG : 0);
    units[out++] = unit;
    if (codePoint > 0xffff) units[out++] = folded.charCodeAt(k + 1);
    k += codePoint > 0xffff ? 2 : 1;
  }
  pass.index = index + width;
  pass.out = out;
  pass.count = count;
  pass.runCount = runCount;
  pass.previous = previous;
  pass.aligned = aligned;
  return true;
}

class Normalized implements NormalizedText {
  constructor(
    public original: string,
    public buffer: Uint16Array,
    public length: number,
    /** Undefined when the units map one for one onto `original`. */
    public runList: Int32Array | undefined,
    public runCount: number,
    public watch: UnitWatch | undefined,
    public candidates: Int32Array,
    public candidateCount: number,
  ) {}

  // The array and string forms, made on first use: the review path needs them only for a message with hits.
  private view: Uint16Array | undefined = undefined;
  private runArray: readonly number[] | undefined = undefined;
  private starts: readonly number[] | undefined = undefined;
  private watchedArray: readonly number[] | undefined = undefined;
  private decoded: string | undefined = undefined;

  /** Makes this the result for another message (normalizeTransient() reuses one result). */
  reset(
    original: string,
    buffer: Uint16Array,
    length: number,
    runList: Int32Array | undefined,
    runCount: number,
    watch: UnitWatch | undefined,
    candidates: Int32Array,
    candidateCount: number,
  ): this {
    this.original = original;
    this.buffer = buffer;
    this.length = length;
    this.runList = runList;
    this.runCount = runCount;
    this.watch = watch;
    this.candidates = candidates;
    this.candidateCount = candidateCount;
    this.view = undefined;
    this.runArray = undefined;
    this.starts = undefined;
    this.watchedArray = undefined;
    this.decoded = undefined;
    return this;
  }

  get units(): Uint16Array {
    this.view ??= this.buffer.subarray(0, this.length);
    return this.view;
  }

  get runs(): readonly number[] | undefined {
    if (this.runList === undefined) return undefined;
    this.runArray ??= Array.from(this.runList.subarray(0, this.runCount));
    return this.runArray;
  }

  get wordStarts(): readonly number[] {
    this.starts ??= this.candidatesOf(STARTS_WORD);
    return this.starts;
  }

  get watched(): readonly number[] {
    this.watchedArray ??= this.candidatesOf(IS_WATCHED);
    return this.watchedArray;
  }

  private candidatesOf(kind: number): number[] {
    const offsets: number[] = [];
    for (let index = 0; index < this.candidateCount; index++) {
      const candidate = this.candidates[index] ?? 0;
      if ((candidate & kind) !== 0) offsets.push(candidate >>> CANDIDATE_SHIFT);
    }
    return offsets;
  }

  get text(): string {
    this.decoded ??= Buffer.from(this.buffer.buffer, this.buffer.byteOffset, this.length * 2).toString(
      'utf16le',
    );
    return this.decoded;
  }
}

function inputBuffer(length: number): { input: Uint16Array; inputBytes: Buffer } {
  const input = new Uint16Array(Math.max(length, 1024));
  return { input, inputBytes: Buffer.from(input.buffer, input.byteOffset, input.byteLength) };
}

/** The input's units. Shared: normalize() never re-enters itself. */
let { input, inputBytes } = inputBuffer(1024);
/** The output units and candidates of normalizeTransient(), shared the same way, and as long as each other. */
let output = new Uint16Array(1024);
let candidateList = new Int32Array(1024);
let runList = new Int32Array(6 * 1025);
/** The result of normalizeTransient(), reset by each call. */
const transientResult = new Normalized('', output, 0, undefined, 0, undefined, candidateList, 0);

/** Grows the output and its lists to hold `needed` units, keeping what they hold. */
function reserve(needed: number): void {
  if (output.length >= needed) return;
  const size = Math.max(needed, output.length * 2);
  const units = new Uint16Array(size);
  units.set(output);
  output = units;
  const candidates = new Int32Array(size);
  candidates.set(candidateList);
  candidateList = candidates;
}

const NOTHING_WATCHED = new Uint8Array(0x10000);
const PICTOGRAPH_HIGHS = [0xd83c, 0xd83d, 0xd83e];
/**
 * Per UTF-16 unit: the one unit it folds to (with WORD_FLAG, SPACE_FLAG, WATCH_FLAG), DROP if
 * it vanishes, NOT_ONE_UNIT if it expands or is half of a surrogate pair (PICTOGRAPH_HIGH for
 * the high halves of pictographs), UNKNOWN until first seen.
 */
const unitKernel = createFoldKernel();
const unitFolds = newFoldTable(NOTHING_WATCHED, unitKernel);

function newFoldTable(watching: Uint8Array, kernel: FoldKernel | undefined): Int32Array {
  const folds = (kernel?.folds ?? new Int32Array(0x10000)).fill(UNKNOWN).fill(NOT_ONE_UNIT, 0xd800, 0xe000);
  for (const high of PICTOGRAPH_HIGHS)
    folds[high] = PICTOGRAPH_HIGH | (watching[high] === 1 ? WATCH_FLAG : 0);
  return folds;
}

/** `kernel`: the fold table's kernel, whose expansions table lists what a unit expands to. */
function learnUnitFold(
  code: number,
  folds: Int32Array,
  watching: Uint8Array,
  kernel: FoldKernel | undefined,
): void {
  const folded = foldOf(code);
  if (folded === '') {
    folds[code] = DROP;
    return;
  }
  const units = Array.from({ length: folded.length }, (_, index) => folded.charCodeAt(index));
  if (units.some(isSurrogate)) {
    folds[code] = NOT_ONE_UNIT;
    return;
  }
  const entries = units.map(
    (unit) =>
      unit |
      (isWordCodePoint(unit) ? WORD_FLAG : 0) |
      (unit === 0x20 ? SPACE_FLAG : 0) |
      (watching[unit] === 1 ? WATCH_FLAG : 0),
  );
  if (entries.length === 1) folds[code] = entries[0] ?? NOT_ONE_UNIT;
  else if (entries.length <= MAX_EXPANSION) folds[code] = kernel?.addExpansion(entries) ?? NOT_ONE_UNIT;
  else folds[code] = NOT_ONE_UNIT;
}

/** The pair `high`, `low` is a code point in U+1F300–U+1FAFF (pictographs and emoji, which fold to themselves). */
function isPictograph(high: number, low: number): boolean {
  if (high === 0xd83c) return low >= 0xdf00 && low <= 0xdfff;
  if (high === 0xd83d) return low >= 0xdc00 && low <= 0xdfff;
  if (high === 0xd83e) return low >= 0xdc00 && low <= 0xdeff;
  return false;
}

/** Original offset of the code point that produced unit `index`, by the `count` entries of `runs`. */
function originOf(runs: ArrayLike<number>, count: number, index: number): number {
  let low = 0;
  let high = count / 3 - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((runs[middle * 3] ?? 0) <= index) low = middle;
    else high = middle - 1;
  }
  const textStart = runs[low * 3] ?? 0;
  return (runs[low * 3 + 1] ?? 0) + (runs[low * 3 + 2] ?? 0) * (index - textStart);
}

/**
 * The original span `[start, end)` that produced the normalized span
 * `[start, end)`: it ends where the next unit's code point starts, so it
 * covers whatever vanished after its last unit.
 */
export function originalSpan(
  normalized: NormalizedText,
  start: number,
  end: number,
): { start: number; end: number } {
  // Our own result reads its typed run list, which `runs` would copy into an array first.
  const runs = normalized instanceof Normalized ? normalized.runList : normalized.runs;
  if (runs === undefined) return { start, end };
  const count = normalized instanceof Normalized ? normalized.runCount : runs.length;
  const last = originOf(runs, count, end - 1);
  let next = end;
  while (next < normalized.length && originOf(runs, count, next) === last) next++;
  return {
    start: originOf(runs, count, start),
    end: next < normalized.length ? originOf(runs, count, next) : normalized.original.length,
  };
}

/** The normalized form alone, for lexicon terms and allow-list entries. */
export function normalizeText(value: string): string {
  return normalize(value).text;
}
