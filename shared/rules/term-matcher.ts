import { LATIN_LOOKALIKES, LEET_LETTERS, LEET_PAIRS, LOOKALIKE_PAIRS } from '../normalization/lookalikes.js';
import type { NormalizedText, UnitWatch } from '../normalization/normalize.js';
import { createUnitWatch, isWordAt, isWordUnit, normalizeText } from '../normalization/normalize.js';

/**
 * A term as written in a policy: a word or phrase, optionally with `*` at
 * either edge. Without a wildcard a term matches whole words only, so
 * "Scunthorpe" and "cocktail" are not matched by shorter listed words.
 */
export interface TermPattern<Tag> {
  readonly source: string;
  readonly tag: Tag;
}

interface CompiledTerm<Tag> {
  readonly source: string;
  readonly tag: Tag;
  /** `*word`: the match may start inside a word. */
  readonly openStart: boolean;
  /** `word*`: the match may end inside a word. */
  readonly openEnd: boolean;
  readonly startsWithWord: boolean;
  readonly endsWithWord: boolean;
}

export interface TermHit<Tag> {
  readonly source: string;
  readonly tag: Tag;
  /** Half-open span in the normalized text. */
  readonly start: number;
  readonly end: number;
}

export class TermSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(message);
    this.name = 'TermSyntaxError';
  }
}

/** Parses and normalizes one term; throws TermSyntaxError when it can never match sensibly. */
export function parseTerm(source: string): { body: string; openStart: boolean; openEnd: boolean } {
  const openStart = source.startsWith('*');
  const openEnd = source.length > 1 && source.endsWith('*');
  const inner = source.slice(openStart ? 1 : 0, openEnd ? -1 : undefined);
  if (inner.includes('*'))
    throw new TermSyntaxError('"*" is allowed only at the start or end of a term', source);
  const body = normalizeText(inner).trim();
  if (body === '') throw new TermSyntaxError('the term is empty once normalized', source);
  return { body, openStart, openEnd };
}

/** Node 0 is the dead state (no transition), so a zero in the table ends a walk. */
const DEAD = 0;
const WORD_START_ROOT = 1;
const ANYWHERE_ROOT = 2;
/** A whole-word term starts with this unit. */
const CLASS_WORD_START = 1;
/** A term that may start anywhere (`*term`, or one that starts with a non-word unit) starts with this unit. */
const CLASS_ANYWHERE = 2;
/** A one-unit term starts with this unit: no second unit to check. */
const CLASS_ONE_UNIT_TERM = 4;

/**
 * The two-unit filter's slots: one per pair of ASCII units, packed (16 KB, so
 * the rows of common letters stay in cache next to other work), then hashed
 * slots for pairs with another unit.
 */
const ASCII_PAIR_SLOTS = 0x80 * 0x80;
const HASHED_PAIR_SLOTS = 1 << 16;

function pairSlot(first: number, second: number): number {
  if ((first | second) < 0x80) return (first << 7) | second;
  return ASCII_PAIR_SLOTS + ((Math.imul(first, 0x9e3779b1) ^ Math.imul(second, 0x85ebca6b)) >>> 16);
}

/** Trie states a stretch-following walk tracks at once (see walkStates). */
const MAX_STATES = 4;

/** The most frequent units get a column in the flat table; rarer ones (large scripts) go to a map. */
const DENSE_SYMBOLS = 63;
const SPARSE = 0xffff;

/**
 * Multi-pattern matcher over normalized text: one trie of every term,
 * flattened into a transition table over the terms' own alphabet (memory:
 * total term length × at most 64 columns × 4 bytes). Walks start only where a
 * match can: at the word starts normalization lists for whole-word terms, at
 * the watched units for the rest; a two-unit filter skips most of those, and
 * a unit no term contains ends a walk at once. Cost per message is bounded by
 * text length × longest term, whatever the number of terms.
 */
export class TermMatcher<Tag> {
  /** UTF-16 unit → column in `transitions`; 0 for units in no term, SPARSE for units kept in `sparse`. */
  private readonly symbols = new Uint16Array(0x10000);
  private readonly width: number;
  private readonly transitions: Int32Array;
  /** Transitions on rare units, keyed `node * 0x10000 + unit`. */
  private readonly sparse = new Map<number, number>();
  private readonly accepting: (readonly CompiledTerm<Tag>[] | undefined)[];
  /** Per UTF-16 unit: CLASS_* bits of the terms that start with it. */
  private readonly firstUnits = new Uint8Array(0x10000);
  /** Per UTF-16 unit: CLASS_* bits of the terms that start with a letter it can be read as (LATIN_LOOKALIKES, LEET_LETTERS). */
  private readonly alternateFirstUnits = new Uint8Array(0x10000);
  /** The first units of terms that may start anywhere (`*term`, or a term starting with a non-word unit). */
  readonly watch: UnitWatch;
  /** Whether normalize() has anything to watch for: anywhere terms, or leet symbols that start words. */
  private readonly hasWatchedStarts: boolean;
  /**
   * CLASS_WORD_START / CLASS_ANYWHERE bits per hash of a term's first two units: most candidate
   * starts fail here, before a walk. Collisions only cost a walk that finds nothing.
   */
  private readonly startPairs = new Uint8Array(ASCII_PAIR_SLOTS + HASHED_PAIR_SLOTS);

  /** Whether walks follow stretched letters ("fuuuck"): an option while it costs throughput (see walkStretched). */
  private readonly stretchedLetters: boolean;
  /** LEET_LETTERS with leetspeak on, all zero with it off (an option while it costs throughput). */
  private readonly leet: Readonly<Uint16Array>;
  private readonly readsAsLetter: Readonly<Uint16Array>;

  constructor(
    patterns: readonly TermPattern<Tag>[],
    { stretchedLetters = false, leetspeak = false }: { stretchedLetters?: boolean; leetspeak?: boolean } = {},
  ) {
    this.stretchedLetters = stretchedLetters;
    this.leet = leetspeak ? LEET_LETTERS : NO_LEET;
    this.readsAsLetter = leetspeak ? READS_AS_LETTER_WITH_LEET : READS_AS_LETTER;
    const alternatesOf = (letter: number) =>
      (leetspeak ? ALTERNATES_WITH_LEET : ALTERNATES).get(letter) ?? [];
    const entries = patterns.map(({ source, tag }) => {
      const { body, openStart, openEnd } = parseTerm(source);
      const startsWithWord = isWordAt(body, 0);
      const term = {
        source,
        tag,
        openStart,
        openEnd,
        startsWithWord,
        endsWithWord: isWordAt(body, body.length - 1),
      };
      return { body, term, root: startsWithWord && !openStart ? WORD_START_ROOT : ANYWHERE_ROOT };
    });
    const frequency = new Map<number, number>();
    for (const { body } of entries) {
      for (let index = 0; index < body.length; index++) {
        const unit = body.charCodeAt(index);
        frequency.set(unit, (frequency.get(unit) ?? 0) + 1);
      }
    }
    const byFrequency = [...frequency.entries()].sort((a, b) => b[1] - a[1]).map(([unit]) => unit);
    byFrequency.forEach((unit, rank) => {
      this.symbols[unit] = rank < DENSE_SYMBOLS ? rank + 1 : SPARSE;
    });
    this.width = Math.min(byFrequency.length, DENSE_SYMBOLS) + 1;

    const nodeCount = 3 + entries.reduce((total, { body }) => total + body.length, 0);
    // Sized for the worst case while building, trimmed to the nodes used after.
    const building = new Int32Array(nodeCount * this.width);
    this.transitions = building;
    const accepting: CompiledTerm<Tag>[][] = [];
    let nodes = 3;
    for (const { body, term, root } of entries) {
      let node = root;
      for (let index = 0; index < body.length; index++) {
        const unit = body.charCodeAt(index);
        let next = this.transition(node, unit);
        if (next === DEAD) {
          next = nodes++;
          const symbol = this.symbols[unit] ?? SPARSE;
          if (symbol === SPARSE) this.sparse.set(node * 0x10000 + unit, next);
          else building[node * this.width + symbol] = next;
        }
        node = next;
      }
      const terms = accepting[node] ?? [];
      terms.push(term);
      accepting[node] = terms;
    }
    this.transitions = building.slice(0, nodes * this.width);
    this.accepting = Array.from({ length: nodes }, (_, node) => accepting[node]);
    for (const { body, root } of entries) {
      const unit = body.charCodeAt(0);
      const rootClass = root === WORD_START_ROOT ? CLASS_WORD_START : CLASS_ANYWHERE;
      const oneUnit = body.length === 1 ? CLASS_ONE_UNIT_TERM : 0;
      this.firstUnits[unit] = (this.firstUnits[unit] ?? 0) | rootClass | oneUnit;
      // The units read as this letter (lookalikes, leet) may start the term too, in a partly Latin word.
      for (const alternate of alternatesOf(unit)) {
        this.alternateFirstUnits[alternate] =
          (this.alternateFirstUnits[alternate] ?? 0) | rootClass | oneUnit;
      }
      if (body.length > 1) {
        // Filled for the alternates as well, so the filter needs no second look at run time.
        for (const first of [unit, ...alternatesOf(unit)]) {
          for (const second of [body.charCodeAt(1), ...alternatesOf(body.charCodeAt(1))]) {
            const pair = pairSlot(first, second);
            this.startPairs[pair] = (this.startPairs[pair] ?? 0) | rootClass;
          }
        }
      }
    }
    const watchUnits = new Uint8Array(0x10000);
    for (const { body, root } of entries) if (root === ANYWHERE_ROOT) watchUnits[body.charCodeAt(0)] = 1;
    // Leet symbols that are not word units ("$lut", "@sshole") start no word: watched, they can start a walk.
    for (const symbol of leetspeak ? LEET_WORD_STARTS : []) {
      if (((this.firstUnits[this.leet[symbol] ?? 0] ?? 0) & CLASS_WORD_START) !== 0) watchUnits[symbol] = 1;
    }
    this.watch = createUnitWatch(watchUnits);
    this.hasWatchedStarts = watchUnits.some((watched) => watched === 1);
  }

  /** Whether a walk from the root of `rootClass` can begin with `unit` then `second`: a cheap filter before walking. */
  private mayStart(rootClass: number, units: Uint16Array, position: number): boolean {
    const unit = units[position] ?? 0;
    const genuine = this.firstUnits[unit] ?? 0;
    const first = (genuine & rootClass) !== 0 ? genuine : (this.alternateFirstUnits[unit] ?? 0);
    if ((first & rootClass) === 0) return false;
    const second = units[position + 1] ?? 0;
    const mayStart =
      (first & CLASS_ONE_UNIT_TERM) !== 0 ||
      // A stretched first letter ("fffuck"): the walk skips the repeats.
      (this.stretchedLetters && second === unit) ||
      ((this.startPairs[pairSlot(unit, second)] ?? 0) & rootClass) !== 0;
    // A lookalike or leet first letter ("сunt" with a Cyrillic с, "5hit") counts only in a partly Latin word.
    return mayStart && (first === genuine || hasAsciiLetter(units, position));
  }

  /** Every occurrence of every term, in order of start position. Never throws. */
  findAll(normalized: NormalizedText): TermHit<Tag>[] {
    const { units } = normalized;
    const hits: TermHit<Tag>[] = [];
    // Whole-word terms can only start where a word starts: normalization lists those places. The same pass
    // counts, by one table read, the words that may be one letter long: a term spelled out letter by letter
    // ("f.u.c.k") needs three of them, and most messages have fewer.
    let oneLetterWords = 0;
    for (const start of normalized.wordStarts) {
      if (this.mayStart(CLASS_WORD_START, units, start)) {
        if (this.stretchedLetters) this.walkStretched(WORD_START_ROOT, units, start, false, hits);
        else this.walk(WORD_START_ROOT, units, start, false, hits);
      }
      const next = units[start + 1] ?? 0x20;
      oneLetterWords += next < 0x80 ? (ASCII_NON_WORD[next] ?? 1) : 1;
    }
    if (oneLetterWords >= MIN_SPELLED_LETTERS) this.findSpelledOut(normalized, hits);
    // Terms that may start anywhere start with a watched unit; normalize(text, this.watch)
    // lists where those are, and without that list every unit is checked.
    if (this.hasWatchedStarts) {
      const before = hits.length;
      const candidates = normalized.watch === this.watch ? normalized.watched : units.keys();
      for (const start of candidates) {
        const afterWord = start > 0 && isWordUnit(units, start - 1);
        if (this.mayStart(CLASS_ANYWHERE, units, start)) {
          if (this.stretchedLetters) this.walkStretched(ANYWHERE_ROOT, units, start, afterWord, hits);
          else this.walk(ANYWHERE_ROOT, units, start, afterWord, hits);
        }
        if (
          this.leet !== NO_LEET &&
          !afterWord &&
          LEET_WORD_STARTS.includes(units[start] ?? 0) &&
          this.mayStart(CLASS_WORD_START, units, start)
        ) {
          this.walk(WORD_START_ROOT, units, start, false, hits);
        }
      }
      if (hits.length > before) hits.sort((a, b) => a.start - b.start || a.end - b.end);
    }
    return hits;
  }

  /**
   * The node after reading `unit`. A letter no term has may be drawn like one
   * that a term has (a Cyrillic с in "fuсk"); a digit or symbol that leads
   * nowhere may stand for a letter (the 1 in "sh1t").
   */
  private transition(node: number, unit: number): number {
    const read = this.symbols[unit] === 0 ? (LATIN_LOOKALIKES[unit] ?? 0) : unit;
    const next = this.step(node, read);
    if (next !== DEAD) return next;
    const leet = this.leet[unit] ?? 0;
    return leet === 0 ? DEAD : this.step(node, leet);
  }

  private step(node: number, unit: number): number {
    const symbol = this.symbols[unit] ?? 0;
    if (symbol === 0) return DEAD;
    if (symbol === SPARSE) return this.sparse.get(node * 0x10000 + unit) ?? DEAD;
    return this.transitions[node * this.width + symbol] ?? DEAD;
  }

  /** Walks the trie from `root` over the units from `start`, reporting each term that ends on an acceptable boundary. */
  private walk(
    root: number,
    units: Uint16Array,
    start: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    // The hot loop: the transition lookup is written out.
    const { symbols, transitions, width, accepting, readsAsLetter } = this;
    let node = root;
    for (let index = start; index < units.length; index++) {
      const unit = units[index] ?? 0;
      const symbol = symbols[unit] ?? 0;
      const next =
        symbol === 0
          ? DEAD
          : symbol === SPARSE
            ? (this.sparse.get(node * 0x10000 + unit) ?? DEAD)
            : (transitions[node * width + symbol] ?? DEAD);
      // Off the common path: lookalike letters and leetspeak (see transition).
      node = next !== DEAD || readsAsLetter[unit] === 0 ? next : this.transition(node, unit);
      if (node === DEAD) return;
      const terms = accepting[node];
      if (terms !== undefined) this.accept(terms, units, start, index + 1, afterWord, hits);
    }
  }

  /**
   * walk() that also follows stretched letters ("fuuuck", "shhhit"): a letter
   * that repeats the one before it lets the walk stay where it is; where it
   * could also advance (the trie has "bb" for "bbw", the text says "bbbitch")
   * it follows both from there on (walkStates).
   */
  private walkStretched(
    root: number,
    units: Uint16Array,
    start: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    let node = root;
    for (let index = start; index < units.length; index++) {
      const unit = units[index] ?? 0;
      const next = this.transition(node, unit);
      const repeats = index > start && unit === units[index - 1] && isStretchable(units, index);
      if (repeats && next !== DEAD) {
        this.walkStates([next, node], index, units, start, afterWord, hits);
        return;
      }
      if (next !== DEAD) node = next;
      else if (!repeats) return;
      const terms = this.accepting[node];
      if (terms !== undefined) this.accept(terms, units, start, index + 1, afterWord, hits);
    }
  }

  /**
   * The walk after a stretched letter forked it: `forked` states have consumed
   * the unit at `from`. Each state may advance and, on a repeat, stay; the states
   * are prefixes along one repeated letter, so a handful at most, and a cap keeps
   * hostile runs linear.
   */
  private walkStates(
    forked: number[],
    from: number,
    units: Uint16Array,
    start: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    let states = forked;
    for (let index = from; index < units.length; index++) {
      if (index > from) {
        const unit = units[index] ?? 0;
        const repeats = unit === units[index - 1] && isStretchable(units, index);
        const next: number[] = [];
        for (const node of states) {
          const advanced = this.transition(node, unit);
          if (advanced !== DEAD && !next.includes(advanced)) next.push(advanced);
          if (repeats && !next.includes(node)) next.push(node);
        }
        if (next.length === 0) return;
        states = next.length > MAX_STATES ? next.slice(0, MAX_STATES) : next;
      }
      for (const node of states) {
        const terms = this.accepting[node];
        if (terms !== undefined) this.accept(terms, units, start, index + 1, afterWord, hits);
      }
    }
  }

  /**
   * Terms spelled out letter by letter ("f.u.c.k", "f u c k", "s-h-i-t"): a run of
   * three or more one-letter words, each one or two separator units from the
   * next, is walked as if its letters were one word. Only such runs are read, so
   * ordinary words are never glued together.
   */
  private findSpelledOut(normalized: NormalizedText, hits: TermHit<Tag>[]): void {
    const { units, wordStarts } = normalized;
    let runStart = 0;
    let runLength = 0;
    for (let index = 0; index <= wordStarts.length; index++) {
      const position = wordStarts[index];
      const letter = position !== undefined && isOneLetterWord(units, position);
      if (letter && runLength > 0 && position - (wordStarts[index - 1] ?? 0) <= MAX_SPELLING_GAP + 1) {
        runLength++;
        continue;
      }
      if (runLength >= MIN_SPELLED_LETTERS) {
        this.walkLetters(wordStarts.slice(runStart, runStart + runLength), units, hits);
      }
      runStart = index;
      runLength = letter ? 1 : 0;
    }
  }

  /** Walks the letters at `positions` as one word, from each of them; a match spans from its first letter to its last. */
  private walkLetters(positions: readonly number[], units: Uint16Array, hits: TermHit<Tag>[]): void {
    for (let first = 0; first < positions.length; first++) {
      let node = WORD_START_ROOT;
      for (let last = first; last < positions.length; last++) {
        node = this.transition(node, units[positions[last] ?? 0] ?? 0);
        if (node === DEAD) break;
        const terms = this.accepting[node];
        if (terms === undefined || last - first + 1 < MIN_SPELLED_LETTERS) continue;
        for (const term of terms) {
          hits.push({
            source: term.source,
            tag: term.tag,
            start: positions[first] ?? 0,
            end: (positions[last] ?? 0) + 1,
          });
        }
      }
    }
  }

  /** Reports the terms that end at `node` and whose edges fit the text around `[start, end)`. */
  private accept(
    terms: readonly CompiledTerm<Tag>[],
    units: Uint16Array,
    start: number,
    end: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    const beforeWord = end < units.length && isWordUnit(units, end);
    for (const term of terms) {
      // A whole-word edge must sit on a word boundary; an open (`*`) edge covers the rest of its word.
      if (afterWord && term.startsWithWord && !term.openStart) continue;
      if (beforeWord && term.endsWithWord && !term.openEnd) continue;
      hits.push({
        source: term.source,
        tag: term.tag,
        start: term.openStart ? wordStart(units, start) : start,
        end: term.openEnd ? wordEnd(units, end) : end,
      });
    }
  }
}

/** A spelled-out term has at least this many letters, and its letters at most this many separator units between them. */
const MIN_SPELLED_LETTERS = 3;
const MAX_SPELLING_GAP = 2;

const ASCII_LETTERS_AND_DIGITS = Uint8Array.from({ length: 0x80 }, (_, code) =>
  /[a-z0-9]/i.test(String.fromCharCode(code)) ? 1 : 0,
);
const ASCII_NON_WORD = ASCII_LETTERS_AND_DIGITS.map((word) => 1 - word);

/** A word one letter long (a BMP letter, not a digit) starts at `position`. */
function isOneLetterWord(units: Uint16Array, position: number): boolean {
  // Called for every word start, and in most words the next unit is an ASCII letter: decided by one read.
  const next = units[position + 1] ?? 0x20;
  if (next < 0x80 ? ASCII_LETTERS_AND_DIGITS[next] === 1 : isWordUnit(units, position + 1)) return false;
  const unit = units[position] ?? 0;
  return !(unit >= 0x30 && unit <= 0x39) && !(unit >= 0xd800 && unit <= 0xdfff);
}

/** The word that starts at `position` has an ASCII letter: it is (at least partly) Latin. */
function hasAsciiLetter(units: Uint16Array, position: number): boolean {
  // A leet symbol that starts the word ("$lut") is not a word unit itself.
  const from = isWordUnit(units, position) ? position : position + 1;
  for (let index = from; index < units.length && isWordUnit(units, index); index++) {
    const unit = units[index] ?? 0;
    if ((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a)) return true;
  }
  return false;
}

/** Per letter: the units a lookalike (and, with leetspeak on, leet) reading turns into it. */
function alternatesTable(
  pairs: readonly (readonly [number, number])[],
): ReadonlyMap<number, readonly number[]> {
  const alternates = new Map<number, number[]>();
  for (const [unit, letter] of pairs) alternates.set(letter, [...(alternates.get(letter) ?? []), unit]);
  return alternates;
}
const ALTERNATES = alternatesTable(LOOKALIKE_PAIRS);
const ALTERNATES_WITH_LEET = alternatesTable([...LOOKALIKE_PAIRS, ...LEET_PAIRS]);
const NO_LEET: Readonly<Uint16Array> = new Uint16Array(0x10000);

/** 1 for units that another reading may turn into a letter: a walk ending there tries again. */
function readsAsLetterTable(pairs: readonly (readonly [number, number])[]): Readonly<Uint16Array> {
  const table = new Uint16Array(0x10000);
  for (const [unit] of pairs) table[unit] = 1;
  return table;
}
const READS_AS_LETTER = readsAsLetterTable(LOOKALIKE_PAIRS);
const READS_AS_LETTER_WITH_LEET = readsAsLetterTable([...LOOKALIKE_PAIRS, ...LEET_PAIRS]);

/** Leet symbols that may stand for the first letter of a word. */
const LEET_WORD_STARTS: readonly number[] = ['$', '@', '!', '|'].map((symbol) => symbol.charCodeAt(0));

/** Letters stretch; digits do not ("1000" is not a stretched "10"). */
function isStretchable(units: Uint16Array, index: number): boolean {
  const unit = units[index] ?? 0;
  return !(unit >= 0x30 && unit <= 0x39) && isWordUnit(units, index);
}

function wordStart(units: Uint16Array, index: number): number {
  let start = index;
  while (start > 0 && isWordUnit(units, start - 1)) start--;
  return start;
}

function wordEnd(units: Uint16Array, index: number): number {
  let end = index;
  while (end < units.length && isWordUnit(units, end)) end++;
  return end;
}
