import type { FoldKernel } from '../normalization/fold-kernel.js';
import { LATIN_LOOKALIKES, LEET_LETTERS, LEET_PAIRS, LOOKALIKE_PAIRS } from '../normalization/lookalikes.js';
import type { NormalizedText, UnitWatch } from '../normalization/normalize.js';
import {
  CANDIDATE_SHIFT,
  createUnitWatch,
  IS_WATCHED,
  isWordAt,
  isWordUnit,
  normalizeTransient,
  STARTS_WORD,
} from '../normalization/normalize.js';
import {
  ANYWHERE_ROOT,
  ANYWHERE_TRIPLE,
  CLASS_ANYWHERE,
  CLASS_WORD_START,
  DEAD,
  DENSE_SYMBOLS,
  ENDS_WORD_AFTER,
  ENDS_WORD_AFTER_SHIFT,
  HIT_BLOCKS,
  MAX_COUNTED_RUN,
  MAX_SPELLING_GAP,
  MAX_STATES,
  MIN_SPELLED_LETTERS,
  PAIR_FLAG,
  PAIR_FLAG_SHIFT,
  PAIR_ROW,
  READING,
  SLOW_16,
  SLOW_32,
  SPARSE,
  TERM_ALLOWS,
  TERM_ENDS_WITH_WORD,
  TERM_OPEN_END,
  TERM_OPEN_START,
  TERM_STARTS_WITH_WORD,
  WORD_START_ROOT,
  WORD_START_TRIPLE,
} from './term-matcher-constants.js';

/**
 * A term as written in a policy: a word or phrase, optionally with `*` at
 * either edge. Without a wildcard a term matches whole words only, so
 * "Scunthorpe" and "cocktail" are not matched by shorter listed words.
 */
export interface TermPattern<Tag> {
  readonly source: string;
  readonly tag: Tag;
}

/**
 * What a term's hit does, for isSurelyClean(): a blocking hit counts unless the hit of an allowing term
 * covers it, of its scope or of every scope (EVERY_SCOPE).
 */
export interface TermRole {
  readonly allows: boolean;
  readonly scope: number;
}

interface CompiledTerm<Tag> {
  readonly source: string;
  readonly tag: Tag;
  /** `*word`: the match may start inside a word. */
  readonly openStart: boolean;
  /** `word*`: the match may end inside a word. */
  readonly openEnd: boolean;
  /** The term's first (last) character needs a word boundary before (after) it: a word character, not of an unspaced script. */
  readonly startsWithWord: boolean;
  readonly endsWithWord: boolean;
}

/**
 * Scripts written without spaces between words: a term edge there has no word boundary to sit on ("傻逼" sits
 * inside a sentence), so it matches anywhere, and the match covers just the term (unlike an open `*` edge,
 * which widens it to the whole word).
 */
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/** Whether the character at `index` of `text` is a word character that needs a word boundary beside it. */
function needsBoundary(text: string, index: number): boolean {
  return isWordAt(text, index) && !UNSPACED_SCRIPT.test(String.fromCodePoint(text.codePointAt(index) ?? 0));
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
  const body = normalizedText(inner).trim();
  if (body === '') throw new TermSyntaxError('the term is empty once normalized', source);
  return { body, openStart, openEnd };
}

/**
 * normalizeText(), without the copies normalize() makes (buffers, then a Buffer to decode them from):
 * this runs for every term when the review function loads. The units are read before anything
 * normalizes again, and decoded in one call (short terms; a long one takes the general way).
 */
function normalizedText(value: string): string {
  const normalized = normalizeTransient(value);
  if (normalized.length > 0x400) return normalized.text;
  return Reflect.apply(String.fromCharCode, undefined, normalized.buffer.subarray(0, normalized.length));
}

/**
 * Multi-pattern matcher over normalized text: one trie of every term,
 * flattened into a transition table over the terms' own alphabet (memory:
 * total term length × at most 64 columns × 4 bytes), and a second one over
 * the units' readings (lookalikes and leet folded in) for the walks. Walks
 * start only where a match can: at the word starts normalization lists for
 * whole-word terms, at the watched units for the rest; a branch-free look at
 * the first three units skips most of those, and a unit no term contains ends
 * a walk at once. Cost per message is bounded by text length × longest term,
 * whatever the number of terms.
 */
export class TermMatcher<Tag> {
  /** UTF-16 unit → column in `transitions`; 0 for units in no term, SPARSE for units kept in `sparse`. */
  private readonly symbols = new Uint16Array(0x10000);
  private readonly width: number;
  private readonly transitions: Int32Array;
  /** Transitions on rare units, keyed `node * 0x10000 + unit`. */
  private readonly sparse = new Map<number, number>();
  private readonly accepting: (readonly CompiledTerm<Tag>[] | undefined)[];
  /** 1 for the nodes where a term ends: a typed read per step, where `accepting` would cost a property load. */
  private readonly accepts: Uint8Array;
  /**
   * The walks' table `next`: per node, a row over the units' readings (column `readings[unit] &
   * READING`), each entry already transition()'s answer (genuine unit, lookalike, then leet), so
   * a walk step is one read; `slow` where the answer needs the sparse map.
   */
  private readonly readings = new Uint16Array(0x10000);
  private readonly readingCount: number;
  private readonly next: Uint16Array | Int32Array;
  /** The entry of `next` that defers to transition(): SLOW_16 or SLOW_32. */
  private readonly slow: number;
  /** Per UTF-16 unit: CLASS_* bits of the terms that start with it. */
  private readonly firstUnits = new Uint8Array(0x10000);
  /** The first units of terms that may start anywhere (`*term`, or a term starting with a non-word unit). */
  readonly watch: UnitWatch;
  /** walkStates()'s lists: each state may advance and stay, so twice the cap. */
  private readonly states = new Int32Array(2 * MAX_STATES);
  private readonly nextStates = new Int32Array(2 * MAX_STATES);
  /** The watched candidates of the message findAll() is reading (findAll() never re-enters itself). */
  private watchedScratch = new Int32Array(256);
  /** See rootPairs(). */
  private readonly wordStartPairs: Int32Array;
  /**
   * See rootTriples(): both roots' bits in one table, interleaved (bit 2b + WORD_START_TRIPLE for
   * WORD_START_ROOT, 2b + ANYWHERE_TRIPLE for ANYWHERE_ROOT), so that one read answers for a
   * candidate that both starts a word and is watched.
   */
  private readonly triples: Int32Array;
  /** 1 for the leet symbols that may stand for the first letter of a word, with leetspeak on. */
  private readonly leetWordStarts = new Uint8Array(0x10000);
  /** Whether normalize() has anything to watch for: anywhere terms, or leet symbols that start words. */
  private readonly hasWatchedStarts: boolean;

  /** Whether walks follow stretched letters ("fuuuck"): an option while it costs throughput (see walk). */
  private readonly stretchedLetters: boolean;
  /** LEET_LETTERS with leetspeak on, all zero with it off (an option while it costs throughput). */
  private readonly leet: Readonly<Uint16Array>;

  /** Whether the kernel knows the terms' roles, for isSurelyClean() and blockingHits(). */
  private readonly judgesInKernel: boolean;
  /** The terms in the order of the kernel's terms table (see termTables()), for the hits it makes. */
  private readonly kernelTerms: readonly CompiledTerm<Tag>[];

  constructor(
    patterns: readonly TermPattern<Tag>[],
    {
      stretchedLetters = false,
      leetspeak = false,
      roleOf,
    }: {
      stretchedLetters?: boolean;
      leetspeak?: boolean;
      /** Each term's role, for isSurelyClean(); without it, isSurelyClean() is always false. */
      roleOf?: (tag: Tag) => TermRole;
    } = {},
  ) {
    this.stretchedLetters = stretchedLetters;
    this.leet = leetspeak ? LEET_LETTERS : NO_LEET;
    const entries = patterns.map(({ source, tag }) => {
      const { body, openStart, openEnd } = parseTerm(source);
      const startsWithWord = needsBoundary(body, 0);
      const last = body.length - (/[\udc00-\udfff]/.test(body.charAt(body.length - 1)) ? 2 : 1);
      const term = {
        source,
        tag,
        openStart,
        openEnd,
        startsWithWord,
        endsWithWord: needsBoundary(body, last),
      };
      return { body, term, root: startsWithWord && !openStart ? WORD_START_ROOT : ANYWHERE_ROOT };
    });
    // Everything from here runs once, when the review function loads, and mostly before V8 has optimized
    // any of it: its cost is roughly the number of loop iterations and objects made. Hence plain loops over
    // typed arrays, no callbacks per element, no map per trie node, and no step that costs nodes × columns.
    // Units by how many terms use them, ties in order of first use.
    const uses = new Int32Array(0x10000);
    const alphabet: number[] = [];
    let totalLength = 0;
    for (const { body } of entries) {
      totalLength += body.length;
      for (let index = 0; index < body.length; index++) {
        const unit = body.charCodeAt(index);
        if (uses[unit] === 0) alphabet.push(unit);
        uses[unit] = (uses[unit] ?? 0) + 1;
      }
    }
    const byFrequency = [...alphabet].sort((a, b) => (uses[b] ?? 0) - (uses[a] ?? 0));
    for (let rank = 0; rank < byFrequency.length; rank++) {
      this.symbols[byFrequency[rank] ?? 0] = rank < DENSE_SYMBOLS ? rank + 1 : SPARSE;
    }
    const width = Math.min(byFrequency.length, DENSE_SYMBOLS) + 1;
    this.width = width;

    // The trie, written straight into the flat table one depth at a time (every term's first unit, then
    // every unfinished term's second, …): nodes are numbered breadth first as they are made, so the shallow
    // nodes, where almost every walk ends, get neighbouring rows, with no renumbering pass.
    // A node per unit of every term, at most, and the three fixed ones.
    const capacity = totalLength + 3;
    const transitions = new Int32Array(capacity * width);
    /** Per node made here: its parent and the dense symbol leading to it (0 for a unit in the sparse map). */
    const parents = new Int32Array(capacity);
    const parentSymbols = new Int32Array(capacity);
    const ending: CompiledTerm<Tag>[][] = [];
    const reached = new Int32Array(entries.length);
    const unfinished = new Int32Array(entries.length);
    for (let index = 0; index < entries.length; index++) {
      reached[index] = entries[index]?.root ?? DEAD;
      unfinished[index] = index;
    }
    let nodes = 3;
    for (let depth = 0, active = entries.length; active > 0; depth++) {
      let kept = 0;
      for (let k = 0; k < active; k++) {
        const index = unfinished[k] ?? 0;
        const entry = entries[index];
        if (entry === undefined) continue;
        const node = reached[index] ?? DEAD;
        const unit = entry.body.charCodeAt(depth);
        const symbol = this.symbols[unit] ?? SPARSE;
        const slot = symbol === SPARSE ? node * 0x10000 + unit : node * width + symbol;
        let child = symbol === SPARSE ? (this.sparse.get(slot) ?? DEAD) : (transitions[slot] ?? DEAD);
        if (child === DEAD) {
          child = nodes++;
          parents[child] = node;
          parentSymbols[child] = symbol === SPARSE ? 0 : symbol;
          if (symbol === SPARSE) this.sparse.set(slot, child);
          else transitions[slot] = child;
        }
        reached[index] = child;
        if (depth < entry.body.length - 1) unfinished[kept++] = index;
        else ending[child] = [...(ending[child] ?? []), entry.term];
      }
      active = kept;
    }
    // Rows past the last node are never read: the copy gives their memory back.
    this.transitions = transitions.slice(0, nodes * width);
    // A packed array (no holes) for the hot path's reads.
    const accepting: (readonly CompiledTerm<Tag>[] | undefined)[] = [];
    this.accepts = new Uint8Array(nodes);
    for (let node = 0; node < nodes; node++) {
      const terms = ending[node];
      accepting.push(terms);
      if (terms !== undefined) this.accepts[node] = 1;
    }
    this.accepting = accepting;
    this.kernelTerms = accepting.flatMap((terms) => terms ?? []);
    // The candidate loop reads this bit with the reading, one table read for both; buildReadings() keeps it.
    this.readings.fill(ENDS_WORD_AFTER, 0x80);
    for (let unit = 0; unit < 0x80; unit++) {
      if (ASCII_LETTERS_AND_DIGITS[unit] === 0) this.readings[unit] = ENDS_WORD_AFTER;
    }
    const readable = alphabet.concat(LOOKALIKE_UNITS, leetspeak ? LEET_UNITS : []);
    ({
      count: this.readingCount,
      next: this.next,
      slow: this.slow,
    } = this.buildReadings(nodes, parents, parentSymbols, readable));
    const watchUnits = new Uint8Array(0x10000);
    for (const { body, root } of entries) {
      const unit = body.charCodeAt(0);
      this.firstUnits[unit] =
        (this.firstUnits[unit] ?? 0) | (root === WORD_START_ROOT ? CLASS_WORD_START : CLASS_ANYWHERE);
      if (root === ANYWHERE_ROOT) watchUnits[unit] = 1;
    }
    // Leet symbols that are not word units ("$lut", "@sshole") start no word: watched, they can start a walk.
    for (const symbol of leetspeak ? LEET_WORD_STARTS : []) {
      this.leetWordStarts[symbol] = 1;
      if (((this.firstUnits[this.leet[symbol] ?? 0] ?? 0) & CLASS_WORD_START) !== 0) watchUnits[symbol] = 1;
    }
    this.wordStartPairs = this.rootPairs(WORD_START_ROOT);
    this.triples = new Int32Array(((2 * this.readingCount ** 3) >>> 5) + 1);
    this.rootTriples(this.wordStartPairs, WORD_START_TRIPLE);
    this.rootTriples(this.rootPairs(ANYWHERE_ROOT), ANYWHERE_TRIPLE);
    this.hasWatchedStarts = watchUnits.some((watched) => watched === 1);
    const tables: ArrayBufferView[] = [
      this.readings,
      this.next,
      this.accepts,
      this.firstUnits,
      this.triples,
      this.leetWordStarts,
    ];
    if (roleOf !== undefined) tables.push(...termTables(accepting, roleOf));
    this.watch = createUnitWatch(watchUnits, tableBytes(tables));
    // The watch's kernel gets this matcher's tables: findAll()'s walks run there over what it normalized.
    const kernel = this.watch.kernel;
    this.judgesInKernel = kernel !== undefined && roleOf !== undefined;
    if (kernel !== undefined) {
      const [readings, next, accepts, firstUnits, triples, leetStarts, nodeTerms, terms] = copyTables(
        kernel,
        tables,
      );
      if (nodeTerms !== undefined && terms !== undefined) kernel.configureTerms(nodeTerms, terms);
      kernel.configureMatcher(
        readings ?? 0,
        next ?? 0,
        this.next instanceof Int32Array ? 1 : 0,
        this.slow,
        accepts ?? 0,
        firstUnits ?? 0,
        triples ?? 0,
        leetStarts ?? 0,
        this.readingCount,
        stretchedLetters ? 1 : 0,
        this.hasWatchedStarts ? 1 : 0,
      );
    }
  }

  /**
   * Fills `readings` and the table of walk steps: units that read the same way (a letter and
   * its lookalikes, a leet digit and its letter when no term has the digit) share a column.
   * Column 0 is all DEAD: the units no term can read.
   */
  private buildReadings(
    nodes: number,
    parents: Int32Array,
    parentSymbols: Int32Array,
    readable: readonly number[],
  ): { count: number; next: Uint16Array | Int32Array; slow: number } {
    const { width } = this;
    /** Per pair of symbols (the unit's own reading, its leet letter): the column of the units that read so. */
    const columnOf = new Uint8Array(width * width);
    /** Per column: the symbol it reads as itself (or as its lookalike), and as a leet letter; 0 for none. */
    const readSymbols = [0];
    const leetSymbols = [0];
    const slow: number[] = [];
    for (const unit of readable) {
      const read = this.symbols[unit] === 0 ? (LATIN_LOOKALIKES[unit] ?? 0) : unit;
      const leet = this.leet[unit] ?? 0;
      const readSymbol = this.symbols[read] ?? 0;
      const leetSymbol = leet === 0 ? 0 : (this.symbols[leet] ?? 0);
      if (readSymbol === SPARSE || leetSymbol === SPARSE) slow.push(unit);
      if (readSymbol === SPARSE || leetSymbol === SPARSE || (readSymbol === 0 && leetSymbol === 0)) continue;
      // At most DENSE_SYMBOLS letters, each with at most a few leet units: far fewer than 0xff columns.
      let column = columnOf[readSymbol * width + leetSymbol] ?? 0;
      if (column === 0) {
        column = readSymbols.length;
        columnOf[readSymbol * width + leetSymbol] = column;
        readSymbols.push(readSymbol);
        leetSymbols.push(leetSymbol);
      }
      this.readings[unit] = ((this.readings[unit] ?? 0) & ENDS_WORD_AFTER) | column;
    }
    // The last column: all SLOW, for the units in the sparse map.
    const slowColumn = readSymbols.length;
    for (const unit of slow)
      this.readings[unit] = ((this.readings[unit] ?? 0) & ENDS_WORD_AFTER) | slowColumn;
    const count = slowColumn + 1;
    // Node numbers fit 16 bits in all but huge lexicons: half the table, so more of it stays in cache.
    const narrow = nodes < SLOW_16;
    const slowEntry = narrow ? SLOW_16 : SLOW_32;
    const next = narrow ? new Uint16Array(nodes * count) : new Int32Array(nodes * count);
    // Each entry is what transition() would answer (the unit's own reading, else its leet letter), filled
    // from the trie's edges, one per node, rather than by a transition() call per node and column, which
    // cost most of this constructor. Per symbol, the columns that read it, as lists in one array each:
    // `columns[first[symbol] .. first[symbol + 1])`. An edge on a unit of the sparse map (symbol 0) fills
    // nothing: those units read through the slow column.
    const [ownColumns, ownFirst] = columnsBySymbol(readSymbols, width);
    const [leetColumns, leetFirst] = columnsBySymbol(leetSymbols, width);
    for (let child = 3; child < nodes; child++) {
      const row = (parents[child] ?? DEAD) * count;
      const symbol = parentSymbols[child] ?? 0;
      for (let k = ownFirst[symbol] ?? 0, last = ownFirst[symbol + 1] ?? 0; k < last; k++) {
        next[row + (ownColumns[k] ?? 0)] = child;
      }
    }
    // A leet letter counts only where the unit's own reading leads nowhere: so after all of those are in.
    for (let child = 3; child < nodes; child++) {
      const row = (parents[child] ?? DEAD) * count;
      const symbol = parentSymbols[child] ?? 0;
      for (let k = leetFirst[symbol] ?? 0, last = leetFirst[symbol + 1] ?? 0; k < last; k++) {
        const entry = row + (leetColumns[k] ?? 0);
        if (next[entry] === DEAD) next[entry] = child;
      }
    }
    for (let entry = slowColumn; entry < next.length; entry += count) next[entry] = slowEntry;
    return { count, next, slow: slowEntry };
  }

  /**
   * Fills `which` of `triples`: per three readings r1 r2 r3, bit 2 × ((r1 × n + r2) × n + r3) + which
   * (n readings) is set when a walk from the root of `pairs` over three units read so may report a term.
   * A few kilobytes, where the pair entry and the walk table row it leads to are tens of kilobytes apart:
   * the check on every word start reads one cached word instead of two tables that miss the cache. Only
   * pairs that lead somewhere are filled (a few hundred), so building it stays cheap at load.
   */
  private rootTriples(pairs: Int32Array, which: number): void {
    const { readingCount: count, next: table, triples: bits } = this;
    for (let pair = 0; pair < count * count; pair++) {
      const entry = pairs[pair] ?? PAIR_FLAG;
      const row = entry & PAIR_ROW;
      const flagged = entry >>> PAIR_FLAG_SHIFT !== 0;
      // Row DEAD leads nowhere (its slow column included: the walk died within two units).
      if (!flagged && row === DEAD) continue;
      for (let third = 0, bit = 2 * pair * count + which; third < count; third++, bit += 2) {
        if (flagged || (table[row + third] ?? DEAD) !== DEAD)
          bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
      }
    }
  }

  /**
   * True when `text` surely holds no blocking hit (see TermRole): normalized, walked and judged in one
   * WebAssembly call, without a hit or a normalized text made in JavaScript. False when it
   * holds one, and whenever the kernel cannot tell (a message it does not normalize or walk, no kernel, no
   * roles): the caller then takes the long way, normalizeTransient() and findAll().
   */
  isSurelyClean(text: string): boolean {
    const kernel = this.watch.kernel;
    if (!this.judgesInKernel || kernel === undefined) return false;
    return kernel.scan(text) === 0;
  }

  /**
   * The hits of blocking terms that no allowing hit covers (see TermRole), in the order findAll() gives them:
   * what findAll() and the allow lists would leave, found in one WebAssembly call, with objects made only for
   * those hits (most messages have none). Spans are in the units normalizeTransient() gives for `text`, whose
   * fold the kernel then hands back without folding again. Undefined whenever the kernel cannot tell, as for
   * isSurelyClean(): the caller then takes the long way.
   */
  blockingHits(text: string): readonly TermHit<Tag>[] | undefined {
    const kernel = this.watch.kernel;
    if (!this.judgesInKernel || kernel === undefined) return undefined;
    const answer = kernel.scan(text);
    if (answer === 0) return NO_HITS;
    if (answer < 0) return undefined;
    const { hits: table, result } = kernel;
    const count = result[5] ?? 0;
    const hits: TermHit<Tag>[] = [];
    for (let at = 0; at < count * 4; at += 4) {
      if (((table[at + 3] ?? 0) & HIT_BLOCKS) === 0) continue;
      const term = this.kernelTerms[table[at + 2] ?? -1];
      if (term === undefined) return undefined;
      hits.push({ source: term.source, tag: term.tag, start: table[at] ?? 0, end: table[at + 1] ?? 0 });
    }
    // Ordered as acceptListed() orders all the hits, of which these are some: sorted by span (stably) only
    // when the walks from watched units made hits, and then only when out of order.
    if (count > (result[6] ?? 0) && !inSpanOrder(hits)) hits.sort(bySpan);
    return hits;
  }

  /** Every occurrence of every term, in order of start position. Never throws. */
  findAll(normalized: NormalizedText): TermHit<Tag>[] {
    // Units the watch's kernel normalized are in its memory: its walks read them there.
    const kernel = this.watch.kernel;
    if (kernel !== undefined && normalized.buffer === kernel.units && normalized.watch === this.watch) {
      const listed = kernel.findAccepts();
      if (listed >= 0) return this.acceptListed(kernel, listed, normalized.buffer);
    }
    // The buffer, not the `units` view: a look past `length` meets the 0 that follows the units.
    const { buffer: units, length, candidates, candidateCount } = normalized;
    const hits: TermHit<Tag>[] = [];
    const { stretchedLetters } = this;
    // Whole-word terms can only start where a word starts: normalization lists those places. The same pass
    // counts, by one table read, the words that may be one letter long: a term spelled out letter by letter
    // ("f.u.c.k") needs three of them, and most messages have fewer. Branch-free but for the walk: the
    // kind of a candidate and whether its walk can match are both unpredictable.
    let oneLetterWords = 0;
    // The same pass checks the watched candidates, with the same reads, and lists those worth a walk for the
    // pass after it (walked there, after the word starts, so that hits keep their order).
    if (this.watchedScratch.length < candidateCount) this.watchedScratch = new Int32Array(candidateCount * 2);
    const watched = this.watchedScratch;
    let watchedCount = 0;
    // mayMatchThree(), written out with its tables in locals: this loop runs for every word of every message.
    const { readings, next: table, readingCount, triples, leetWordStarts } = this;
    const pairs = this.wordStartPairs;
    for (let index = 0; index < candidateCount; index++) {
      const candidate = candidates[index] ?? 0;
      const start = candidate >>> CANDIDATE_SHIFT;
      const first = units[start] ?? 0;
      const second = units[start + 1] ?? 0;
      const third = units[start + 2] ?? 0;
      const startsWord = candidate & STARTS_WORD;
      const firstReading = (readings[first] ?? 0) & READING;
      const secondReading = readings[second] ?? 0;
      const thirdReading = (readings[third] ?? 0) & READING;
      oneLetterWords += startsWord & (secondReading >>> ENDS_WORD_AFTER_SHIFT);
      const pairIndex = firstReading * readingCount + (secondReading & READING);
      const bit = (pairIndex * readingCount + thirdReading) << 1;
      // Both roots' bits (see rootTriples), ANYWHERE_TRIPLE's above WORD_START_TRIPLE's.
      const bits = (triples[bit >>> 5] ?? 0) >>> (bit & 31);
      const plain = bits & 1;
      const anywhere = (bits >>> 1) & 1;
      const repeats = (second === first ? 1 : 0) | (third === second ? 1 : 0);
      // Most watched units (the "f" and "s" of *fuck and *shit, inside any word) lead nowhere: a rare branch.
      if ((candidate & IS_WATCHED) !== 0 && (anywhere | repeats | (leetWordStarts[first] ?? 0)) !== 0) {
        if (
          (anywhere | (leetWordStarts[first] ?? 0)) !== 0 ||
          this.mayMatchStretched(ANYWHERE_TRIPLE, units, length, start) !== 0
        )
          watched[watchedCount++] = start;
      }
      if ((startsWord & (plain | repeats)) === 0) continue;
      // A repeated letter ("see", "good", "gg") may be stretched: the check once more on each way to read it.
      if (plain === 0 && this.mayMatchStretched(WORD_START_TRIPLE, units, length, start) === 0) continue;
      const pair = pairs[pairIndex] ?? PAIR_FLAG;
      const three = table[(pair & PAIR_ROW) + thirdReading] ?? DEAD;
      // Three plain steps (no term ending, no repeat, no sparse unit): the walk goes on from there.
      if (((pair >>> PAIR_FLAG_SHIFT) | repeats) === 0 && three !== this.slow) {
        this.walkOn(three, third, units, length, start, 3, stretchedLetters, hits);
      } else {
        this.walk(WORD_START_ROOT, CLASS_WORD_START, units, length, start, false, stretchedLetters, hits);
      }
    }
    if (oneLetterWords >= MIN_SPELLED_LETTERS) this.findSpelledOut(normalized, hits);
    // Terms that may start anywhere start with a watched unit; normalize(text, this.watch)
    // lists where those are, and without that list every unit is checked.
    if (!this.hasWatchedStarts) return hits;
    const before = hits.length;
    if (normalized.watch !== this.watch) {
      for (let start = 0; start < length; start++) this.walkWatched(units, length, start, hits);
    } else {
      for (let index = 0; index < watchedCount; index++)
        this.walkWatched(units, length, watched[index] ?? 0, hits);
    }
    // Usually in order already (a watched walk mostly finds what a word-start walk found, as in "fuck" for
    // "*fuck" and "fuck*"): the stable sort would leave it as it is, at the cost of a call and a closure.
    if (hits.length > before && !inSpanOrder(hits)) hits.sort(bySpan);
    return hits;
  }

  /**
   * The hits of the `count` accepting nodes the kernel's walks listed, in the order findAll()'s own walks
   * would have reached them: the same accept() calls, so the same hits in the same order.
   */
  private acceptListed(kernel: FoldKernel, count: number, units: Uint16Array): TermHit<Tag>[] {
    const hits: TermHit<Tag>[] = [];
    const { events, result } = kernel;
    // Listed by the word-start walks; the rest by the walks from watched units, which findAll() may sort.
    const byWordStarts = result[3] ?? 0;
    let before = -1;
    for (let index = 0; index < count; index++) {
      if (index === byWordStarts) before = hits.length;
      const at = index * 4;
      this.accept(
        events[at] ?? 0,
        units,
        events[at + 1] ?? 0,
        events[at + 2] ?? 0,
        events[at + 3] === 1,
        hits,
      );
    }
    if (before < 0) before = hits.length;
    if (hits.length > before && !inSpanOrder(hits)) hits.sort(bySpan);
    return hits;
  }

  /** The walks from a watched unit: terms that may start anywhere, and words that start with a leet symbol. */
  private walkWatched(units: Uint16Array, length: number, start: number, hits: TermHit<Tag>[]): void {
    const afterWord = start > 0 && isWordUnit(units, start - 1);
    this.walk(ANYWHERE_ROOT, CLASS_ANYWHERE, units, length, start, afterWord, this.stretchedLetters, hits);
    if (!afterWord && this.leetWordStarts[units[start] ?? 0] === 1) {
      this.walk(WORD_START_ROOT, CLASS_WORD_START, units, length, start, false, false, hits);
    }
  }

  /**
   * 1 when a walk from the root whose bits of `triples` are `which` may report a term from the three units
   * `first`, `second`, `third` read as they are, 0 when it surely reports none: it dies within three units,
   * with no term ending on the way and no unit of the sparse map.
   */
  private mayMatchThree(which: number, first: number, second: number, third: number): number {
    const { readings, readingCount, triples } = this;
    const bit =
      (((((readings[first] ?? 0) & READING) * readingCount + ((readings[second] ?? 0) & READING)) *
        readingCount +
        ((readings[third] ?? 0) & READING)) <<
        1) +
      which;
    return ((triples[bit >>> 5] ?? 0) >>> (bit & 31)) & 1;
  }

  /**
   * mayMatchThree() where the first units repeat one: a walk reads a run of k equal units as that unit
   * 1 to k times (a stretched letter), so with runs a × k1, b × k2, then c, the three units it can
   * read first are abc, and aab (k1 ≥ 2), aaa (k1 ≥ 3), abb (k2 ≥ 2). Each is checked; runs too long
   * to be worth counting (hostile input) count as a possible match, leaving it to the walk.
   */
  private mayMatchStretched(which: number, units: Uint16Array, length: number, start: number): number {
    const a = units[start] ?? 0;
    let index = start + 1;
    while (index < length && units[index] === a && index - start < MAX_COUNTED_RUN) index++;
    const k1 = index - start;
    const b = index < length ? (units[index] ?? 0) : 0;
    const bStart = index;
    index++;
    while (index < length && units[index] === b && index - bStart < MAX_COUNTED_RUN) index++;
    const k2 = index - bStart;
    const c = index < length ? (units[index] ?? 0) : 0;
    if (k1 >= MAX_COUNTED_RUN || k2 >= MAX_COUNTED_RUN) return 1;
    return (
      this.mayMatchThree(which, a, b, c) |
      (k1 >= 2 ? this.mayMatchThree(which, a, a, b) : 0) |
      (k1 >= 3 ? this.mayMatchThree(which, a, a, a) : 0) |
      (k2 >= 2 ? this.mayMatchThree(which, a, b, b) : 0)
    );
  }

  /**
   * For findAll()'s check, per pair of readings: where the row of the node two units from `root`
   * starts in `next`, with PAIR_FLAG where a term ends on the way or a unit of the sparse map
   * needs transition(). One entry for both, so the check reads one table fewer.
   */
  private rootPairs(root: number): Int32Array {
    const { readingCount: count, next: table, accepts, slow } = this;
    const pairs = new Int32Array(count * count);
    // Every first reading that leads nowhere from `root` (most, from ANYWHERE_ROOT) has the same row.
    let deadRow = -1;
    for (let first = 0; first < count; first++) {
      const one = table[root * count + first] ?? DEAD;
      if (one === DEAD && deadRow >= 0) {
        pairs.copyWithin(first * count, deadRow * count, (deadRow + 1) * count);
        continue;
      }
      if (one === DEAD) deadRow = first;
      for (let second = 0; second < count; second++) {
        const two = one === slow ? slow : (table[one * count + second] ?? DEAD);
        const slowly = one === slow || two === slow;
        const flag = slowly || accepts[one] === 1 || accepts[two] === 1 ? PAIR_FLAG : 0;
        pairs[first * count + second] = (slowly ? DEAD : two * count) | flag;
      }
    }
    return pairs;
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

  /**
   * Walks the trie from `root` over the units from `start`, reporting each term that ends on an
   * acceptable boundary. With `stretch`, it also follows stretched letters ("fuuuck", "shhhit"): a
   * letter that repeats the one before it lets the walk stay where it is; where it could also
   * advance (the trie has "bb" for "bbw", the text says "bbbitch") it follows both from there on
   * (walkStates).
   *
   * Most walks die within two units, so this is the hot loop: one table read per unit (see
   * buildReadings) and no filter before it, since the first two reads are as cheap as a filter.
   */
  private walk(
    root: number,
    rootClass: number,
    units: Uint16Array,
    length: number,
    start: number,
    afterWord: boolean,
    stretch: boolean,
    hits: TermHit<Tag>[],
  ): void {
    const { readings, next: table, readingCount, accepts, slow } = this;
    const first = units[start] ?? 0;
    let node = table[root * readingCount + ((readings[first] ?? 0) & READING)] ?? DEAD;
    if (node === slow) node = this.transition(root, first);
    if (node === DEAD) return;
    // A lookalike or leet first letter ("сunt" with a Cyrillic с, "5hit") counts only in a partly Latin word.
    if (((this.firstUnits[first] ?? 0) & rootClass) === 0 && !hasAsciiLetter(units, start)) return;
    if (accepts[node] === 1) this.accept(node, units, start, start + 1, afterWord, hits);
    this.walkFrom(node, first, start + 1, units, length, start, afterWord, stretch, hits);
  }

  /**
   * A whole-word walk from WORD_START_ROOT at `start` that findAll() has taken `steps` plain steps
   * (to `node`, last reading `previous`): no term ended on the way and no letter repeated.
   */
  private walkOn(
    node: number,
    previous: number,
    units: Uint16Array,
    length: number,
    start: number,
    steps: number,
    stretch: boolean,
    hits: TermHit<Tag>[],
  ): void {
    // As in walk().
    if (((this.firstUnits[units[start] ?? 0] ?? 0) & CLASS_WORD_START) === 0 && !hasAsciiLetter(units, start))
      return;
    const end = start + steps;
    if (this.accepts[node] === 1) this.accept(node, units, start, end, false, hits);
    this.walkFrom(node, previous, end, units, length, start, false, stretch, hits);
  }

  /** walk() on from `reached`, the node the units before `from` lead to, the last of them `last`. */
  private walkFrom(
    reached: number,
    last: number,
    from: number,
    units: Uint16Array,
    length: number,
    start: number,
    afterWord: boolean,
    stretch: boolean,
    hits: TermHit<Tag>[],
  ): void {
    const { readings, next: table, readingCount, accepts, slow } = this;
    let node = reached;
    let previous = last;
    for (let index = from; index < length; index++) {
      const unit = units[index] ?? 0;
      let next = table[node * readingCount + ((readings[unit] ?? 0) & READING)] ?? DEAD;
      if (next === slow) next = this.transition(node, unit);
      if (unit === previous && stretch && isStretchable(units, index)) {
        if (next !== DEAD) {
          this.walkStates(next, node, index, units, length, start, afterWord, hits);
          return;
        }
      } else if (next === DEAD) return;
      else node = next;
      if (accepts[node] === 1) this.accept(node, units, start, index + 1, afterWord, hits);
      previous = unit;
    }
  }

  /**
   * The walk after a stretched letter forked it: `forked` states have consumed
   * the unit at `from`. Each state may advance and, on a repeat, stay; the states
   * are prefixes along one repeated letter, so a handful at most, and a cap keeps
   * hostile runs linear.
   */
  private walkStates(
    advanced: number,
    stayed: number,
    from: number,
    units: Uint16Array,
    length: number,
    start: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    const { readings, next: table, readingCount, slow } = this;
    // Two scratch lists used in turn, so that no array is made per unit (walks never re-enter).
    let states = this.states;
    let next = this.nextStates;
    states[0] = advanced;
    states[1] = stayed;
    let count = 2;
    for (let index = from; index < length; index++) {
      if (index > from) {
        const unit = units[index] ?? 0;
        const repeats = unit === units[index - 1] && isStretchable(units, index);
        // transition()'s answers, read from the walk table as walkFrom() reads them.
        const column = (readings[unit] ?? 0) & READING;
        let nextCount = 0;
        for (let k = 0; k < count; k++) {
          const node = states[k] ?? DEAD;
          let moved = table[node * readingCount + column] ?? DEAD;
          if (moved === slow) moved = this.transition(node, unit);
          if (moved !== DEAD && !listed(next, nextCount, moved)) next[nextCount++] = moved;
          if (repeats && !listed(next, nextCount, node)) next[nextCount++] = node;
        }
        if (nextCount === 0) return;
        const read = states;
        states = next;
        next = read;
        count = Math.min(nextCount, MAX_STATES);
      }
      for (let k = 0; k < count; k++) {
        const node = states[k] ?? DEAD;
        if (this.accepts[node] === 1) this.accept(node, units, start, index + 1, afterWord, hits);
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

  /**
   * Walks the letters at `positions` as one word, from each of them; a match spans from its first letter to its
   * last. The run is one word, so a whole-word edge of a term must sit at the run's edge, or next to a letter
   * that is a word of its own ("a f u c k", "f u c k u"): "c.l.a.s.s" does not hold "ass".
   */
  private walkLetters(positions: readonly number[], units: Uint16Array, hits: TermHit<Tag>[]): void {
    const standsAlone = (index: number) => STANDALONE_LETTERS.includes(units[positions[index] ?? 0] ?? 0);
    // What separates letter `index` from the next. Punctuation binds a spelled word ("f.u.c.k"); a space next
    // to punctuation splits two ("f.u.c.k s-h-i-t"), and so does a lone odd mark between two runs of another.
    const gap = (index: number) =>
      String.fromCharCode(...units.subarray((positions[index] ?? 0) + 1, positions[index + 1] ?? 0));
    const lastGap = positions.length - 2;
    const spaced = (index: number) => gap(index).trim() === '';
    const splits = Array.from({ length: lastGap + 1 }, (_, index) =>
      spaced(index)
        ? (index > 0 && !spaced(index - 1)) || (index < lastGap && !spaced(index + 1))
        : index > 0 && index < lastGap && gap(index) !== gap(index - 1) && gap(index) !== gap(index + 1),
    );
    const startsAt = (first: number) => first === 0 || standsAlone(first - 1) || splits[first - 1] === true;
    const endsAt = (last: number) =>
      last === positions.length - 1 || standsAlone(last + 1) || splits[last] === true;
    for (let first = 0; first < positions.length; first++) {
      let node = WORD_START_ROOT;
      const startsWord = startsAt(first);
      for (let last = first; last < positions.length; last++) {
        node = this.transition(node, units[positions[last] ?? 0] ?? 0);
        if (node === DEAD) break;
        const terms = this.accepting[node];
        if (terms === undefined || last - first + 1 < MIN_SPELLED_LETTERS) continue;
        const endsWord = endsAt(last);
        for (const term of terms) {
          if ((!startsWord && !term.openStart) || (!endsWord && !term.openEnd)) continue;
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
    node: number,
    units: Uint16Array,
    start: number,
    end: number,
    afterWord: boolean,
    hits: TermHit<Tag>[],
  ): void {
    const beforeWord = end < units.length && isWordUnit(units, end);
    const terms = this.accepting[node];
    if (terms === undefined) return;
    for (let index = 0; index < terms.length; index++) {
      const term = terms[index];
      if (term === undefined) continue;
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

/** No hits, shared (blockingHits() here, and evaluate.ts). */
export const NO_HITS: readonly never[] = Object.freeze([]);

function bySpan(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return a.start - b.start || a.end - b.end;
}

/** Whether `hits` are ordered by start, then end. */
function inSpanOrder<Tag>(hits: readonly TermHit<Tag>[]): boolean {
  for (let index = 1; index < hits.length; index++) {
    const before = hits[index - 1];
    const hit = hits[index];
    if (before === undefined || hit === undefined) continue;
    if (before.start > hit.start || (before.start === hit.start && before.end > hit.end)) return false;
  }
  return true;
}

/**
 * The kernel's terms tables: per node, where its terms start (one entry more than the nodes); per term, its
 * flags (TERM_*) and scope.
 */
function termTables<Tag>(
  accepting: readonly (readonly CompiledTerm<Tag>[] | undefined)[],
  roleOf: (tag: Tag) => TermRole,
): [Int32Array, Int32Array] {
  const nodeTerms = new Int32Array(accepting.length + 1);
  const terms: number[] = [];
  accepting.forEach((ending, node) => {
    for (const term of ending ?? []) {
      const role = roleOf(term.tag);
      const flags =
        (term.startsWithWord ? TERM_STARTS_WITH_WORD : 0) |
        (term.endsWithWord ? TERM_ENDS_WITH_WORD : 0) |
        (term.openStart ? TERM_OPEN_START : 0) |
        (term.openEnd ? TERM_OPEN_END : 0) |
        (role.allows ? TERM_ALLOWS : 0);
      terms.push(flags, role.scope);
    }
    nodeTerms[node + 1] = terms.length / 2;
  });
  return [nodeTerms, Int32Array.from(terms)];
}

/** Bytes to hold `tables` one after the other, each 8-byte aligned. */
function tableBytes(tables: readonly ArrayBufferView[]): number {
  return tables.reduce((bytes, table) => bytes + Math.ceil(table.byteLength / 8) * 8, 0);
}

/** Copies `tables` into the kernel's free memory, one after the other: the byte offset of each. */
function copyTables(kernel: FoldKernel, tables: readonly ArrayBufferView[]): number[] {
  const memory = new Uint8Array(kernel.memory);
  let at = kernel.freeAt;
  return tables.map((table) => {
    memory.set(new Uint8Array(table.buffer, table.byteOffset, table.byteLength), at);
    const offset = at;
    at += Math.ceil(table.byteLength / 8) * 8;
    return offset;
  });
}

/** Whether `node` is among the first `count` of `states`. */
function listed(states: Int32Array, count: number, node: number): boolean {
  for (let k = 0; k < count; k++) if (states[k] === node) return true;
  return false;
}

/** One-letter English words ("a", "I", "u" for you): next to a spelled-out term they do not make it part of a longer word. */
const STANDALONE_LETTERS: readonly number[] = [0x61, 0x69, 0x75];

const ASCII_LETTERS_AND_DIGITS = Uint8Array.from({ length: 0x80 }, (_, code) =>
  /[a-z0-9]/i.test(String.fromCharCode(code)) ? 1 : 0,
);

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

const NO_LEET: Readonly<Uint16Array> = new Uint16Array(0x10000);

/** The units that may read as another: lookalikes, and leet symbols (with leetspeak on). */
const LOOKALIKE_UNITS: readonly number[] = LOOKALIKE_PAIRS.map(([unit]) => unit);
const LEET_UNITS: readonly number[] = LEET_PAIRS.map(([unit]) => unit);

/**
 * The columns by the symbol `symbols[column]` of each, symbol 0 left out: symbol `s` has
 * `columns[first[s] .. first[s + 1])`. Two flat arrays rather than an array per symbol.
 */
function columnsBySymbol(symbols: readonly number[], width: number): [Uint8Array, Int32Array] {
  const first = new Int32Array(width + 1);
  for (let column = 1; column < symbols.length; column++) {
    const symbol = symbols[column] ?? 0;
    if (symbol !== 0) first[symbol + 1] = (first[symbol + 1] ?? 0) + 1;
  }
  for (let symbol = 1; symbol <= width; symbol++)
    first[symbol] = (first[symbol] ?? 0) + (first[symbol - 1] ?? 0);
  const columns = new Uint8Array(first[width] ?? 0);
  const filled = first.slice(0, width);
  for (let column = 1; column < symbols.length; column++) {
    const symbol = symbols[column] ?? 0;
    if (symbol === 0) continue;
    columns[filled[symbol] ?? 0] = column;
    filled[symbol] = (filled[symbol] ?? 0) + 1;
  }
  return [columns, first];
}

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
