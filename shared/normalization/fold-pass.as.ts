/**
 * The engine's hot path in WebAssembly (AssemblyScript, built by `npm run build:wasm` into fold-pass-wasm.ts),
 * in three parts, each the TypeScript engine's own algorithm over its own tables:
 *
 * - foldPass(): normalizePass()'s common case: every code point that folds to one unit or to two to four
 *   (ß → ss, listed in the expansions table), vanishes, collapses into a space or is a pictograph. Anything
 *   else (a unit not yet in the fold table, a longer expansion, another astral code point, a lone surrogate)
 *   makes it give up, and normalize.ts runs its own pass over the whole message.
 * - findAccepts(): TermMatcher.findAll()'s candidate checks and walks over what foldPass() wrote, for the
 *   matcher whose tables configureMatcher() was given (one matcher per memory: each matcher has its own
 *   watch, and so its own fold table and kernel). It does not report terms: it lists, in the order findAll()
 *   would call accept(), each accepting node a walk reaches, and term-matcher.ts turns them into hits as
 *   findAll() does. It gives up on transitions of the sparse map, terms spelled out letter by letter and a
 *   hostile number of accepting nodes, and findAll() then walks the same units itself.
 * - scanClean(): both, then the hits made from the listed nodes and the allow lists' say on them, for
 *   TermMatcher.blockingHits() and isSurelyClean().
 *
 * The results are identical by construction and by test (test/shared/normalization/fold-pass.test.ts,
 * test/shared/rules/term-matcher-kernel.test.ts); only the loops are faster, since WebAssembly has no bounds
 * checks, map checks or deoptimizations to pay for on every unit. The memory is the caller's (one per fold
 * table), laid out as the exported offsets say; the fold table lives in it and normalize.ts fills it, so
 * there is nothing to keep in sync.
 */

import {
  ANYWHERE_ROOT,
  ANYWHERE_TRIPLE,
  CLASS_ANYWHERE,
  CLASS_WORD_START,
  DEAD,
  ENDS_WORD_AFTER_SHIFT,
  EVERY_SCOPE,
  HIT_BLOCKS,
  MAX_COUNTED_RUN,
  MAX_STATES,
  MIN_SPELLED_LETTERS,
  READING,
  TERM_ALLOWS,
  TERM_ENDS_WITH_WORD,
  TERM_OPEN_END,
  TERM_OPEN_START,
  TERM_STARTS_WITH_WORD,
  WORD_START_ROOT,
  WORD_START_TRIPLE,
} from '../rules/term-matcher-constants';
import {
  CANDIDATE_SHIFT,
  DROP,
  EXPANSION_BASE,
  IS_WATCHED,
  MAX_EXPANSION,
  PICTOGRAPH_HIGH,
  SPACE_FLAG,
  STARTS_WORD,
  UNKNOWN,
  WATCH_FLAG,
  WATCH_SHIFT,
  WORD_SHIFT,
} from './fold-constants';

/** The longest message this pass takes, in UTF-16 units. */
export const CAPACITY: i32 = 4096;
/** i32 per UTF-16 unit. */
export const FOLDS_AT: u32 = 0;
/**
 * After a pass: the output's length, the candidates' count and the runs' count; after findAccepts(), the
 * accepting nodes the word-start walks listed; after scanClean(), all it listed, or -1 (i32 each).
 */
export const RESULT_AT: u32 = FOLDS_AT + 0x10000 * 4;
/** The message's units, and a 0 after them. */
export const INPUT_AT: u32 = RESULT_AT + 32;
/** The folded units, and a 0 after them. */
export const UNITS_AT: u32 = INPUT_AT + (CAPACITY + 8) * 2;
export const CANDIDATES_AT: u32 = UNITS_AT + (CAPACITY + 8) * 2;
/** A run opens at most once per input unit: three i32 each. */
export const RUNS_AT: u32 = CANDIDATES_AT + (CAPACITY + 8) * 4;
/** Per folded unit: 1 when it is a word unit (isWordUnit() in normalize.ts), then a 0. */
export const WORDS_AT: u32 = RUNS_AT + (CAPACITY + 8) * 12;
/** findAccepts()'s output: per accepting node reached, [node, start, end, afterWord] (i32 each). */
export const EVENTS_AT: u32 = WORDS_AT + CAPACITY + 8;
export const EVENTS_CAPACITY: i32 = 4096;
/** The watched units findAccepts() walks from after the word starts. */
const WATCHED_AT: u32 = EVENTS_AT + EVENTS_CAPACITY * 16;
/** walkStates()'s two lists of MAX_STATES × 2 states. */
const STATES_AT: u32 = WATCHED_AT + (CAPACITY + 8) * 4;
const NEXT_STATES_AT: u32 = STATES_AT + 64;
/**
 * scanClean()'s hits, in the order accept() makes them: [start, end, term, term flags] (i32 each), with
 * HIT_BLOCKS set in the flags of each blocking hit no allowing hit covers.
 */
export const HITS_AT: u32 = NEXT_STATES_AT + 64;
export const HITS_CAPACITY: i32 = 1024;
/** Per expansion slot: the count of units, then MAX_EXPANSION fold table entries (i32 each). */
export const EXPANSIONS_AT: u32 = HITS_AT + HITS_CAPACITY * 16;
export const EXPANSION_SLOTS: i32 = 1024;
const EXPANSION_BYTES: u32 = (1 + MAX_EXPANSION) * 4;
/** Where the term matcher's tables may go (configureMatcher()). */
export const END: u32 = EXPANSIONS_AT + <u32>EXPANSION_SLOTS * EXPANSION_BYTES;

/** The output's length, or -1 when this pass cannot normalize the message (see above). */
export function foldPass(length: i32): i32 {
  if (length > CAPACITY) return -1;
  // For the look at the unit after a high surrogate at the end.
  store<u16>(INPUT_AT + ((<u32>length) << 1), 0);
  let index: i32 = 0;
  let out: i32 = 0;
  let count: i32 = 0;
  let runCount: i32 = 0;
  // The flags of the last unit written.
  let previous: i32 = 0;
  // Whether units still continue the last step-1 run (original offset − unit offset unchanged).
  let aligned = false;
  while (index < length) {
    const code = <u32>load<u16>(INPUT_AT + ((<u32>index) << 1));
    const entry = load<i32>(FOLDS_AT + (code << 2));
    // One unit, the common case: neither negative nor a pictograph's high surrogate.
    if (<u32>entry < <u32>PICTOGRAPH_HIGH) {
      // A space after a space vanishes, as a zero-width character does.
      if ((entry & previous & SPACE_FLAG) !== 0) {
        index++;
        aligned = false;
        continue;
      }
      if (!aligned) {
        runCount = openRun(runCount, out, index);
        aligned = true;
      }
      // Most of a message: units that fold to one unit each, in step with the input (so `out` is `index` plus
      // a constant), in a loop of their own that keeps fewer values live than this one.
      const shift = out - index;
      let unit = entry;
      let before = previous;
      let at = index;
      while (true) {
        count = writeUnit(unit, before, at + shift, count);
        before = unit;
        at++;
        if (at >= length) break;
        unit = load<i32>(FOLDS_AT + ((<u32>load<u16>(INPUT_AT + ((<u32>at) << 1))) << 2));
        if (<u32>unit >= <u32>PICTOGRAPH_HIGH || (unit & before & SPACE_FLAG) !== 0) break;
      }
      index = at;
      out = at + shift;
      previous = before;
      continue;
    }
    if (entry === DROP) {
      index++;
      aligned = false;
      continue;
    }
    if (entry <= EXPANSION_BASE) {
      const at = EXPANSIONS_AT + <u32>(EXPANSION_BASE - entry) * EXPANSION_BYTES;
      const units = load<i32>(at);
      // Room for these units and one for each unit left, as the output has.
      if (out + units + (length - index - 1) > CAPACITY) return -1;
      // A run of step 0: every unit of the expansion maps to the one code point.
      store<i32>(RUNS_AT + ((<u32>runCount) << 2), out);
      store<i32>(RUNS_AT + ((<u32>runCount) << 2) + 4, index);
      store<i32>(RUNS_AT + ((<u32>runCount) << 2) + 8, 0);
      runCount += 3;
      aligned = false;
      for (let k: i32 = 0; k < units; k++) {
        const unit = load<i32>(at + 4 + ((<u32>k) << 2));
        // An expansion can start with a space, which joins a space before it.
        if ((unit & previous & SPACE_FLAG) !== 0) continue;
        count = writeUnit(unit, previous, out, count);
        out++;
        previous = unit;
      }
      index++;
      continue;
    }
    if (entry === UNKNOWN || entry < 0) return -1;
    const low = <u32>load<u16>(INPUT_AT + ((<u32>(index + 1)) << 1));
    if (!isPictograph(code, low)) return -1;
    if (!aligned) {
      runCount = openRun(runCount, out, index);
      aligned = true;
    }
    if ((entry & WATCH_FLAG) !== 0) {
      store<i32>(CANDIDATES_AT + ((<u32>count) << 2), (out << CANDIDATE_SHIFT) | IS_WATCHED);
      count++;
    }
    previous = 0;
    store<u16>(UNITS_AT + ((<u32>out) << 1), <u16>code);
    store<u16>(UNITS_AT + ((<u32>(out + 1)) << 1), <u16>low);
    // Pictographs are not word units.
    store<u16>(WORDS_AT + <u32>out, 0);
    out += 2;
    index += 2;
  }
  store<u16>(UNITS_AT + ((<u32>out) << 1), 0);
  store<u8>(WORDS_AT + <u32>out, 0);
  store<i32>(RESULT_AT, out);
  store<i32>(RESULT_AT + 4, count);
  store<i32>(RESULT_AT + 8, runCount);
  return out;
}

/**
 * Writes the unit of fold table entry `entry` at `out`, with its word flag, and lists it among the candidates
 * when it starts a word (the entry before it is `previous`) or is watched; returns the candidates' new count.
 */
function writeUnit(entry: i32, previous: i32, out: i32, count: i32): i32 {
  const kind =
    (((entry & ~previous) >>> WORD_SHIFT) & STARTS_WORD) | ((entry >>> (WATCH_SHIFT - 1)) & IS_WATCHED);
  // Written always and counted only when a kind is set: where words start is unpredictable.
  store<i32>(CANDIDATES_AT + ((<u32>count) << 2), (out << CANDIDATE_SHIFT) | kind);
  store<u16>(UNITS_AT + ((<u32>out) << 1), <u16>entry);
  store<u8>(WORDS_AT + <u32>out, <u8>((entry >>> WORD_SHIFT) & 1));
  return count + ((kind + 3) >>> 2);
}

/** Opens a step-1 run at unit `out`, original offset `index`; returns the runs' new count. */
function openRun(runCount: i32, out: i32, index: i32): i32 {
  const at = RUNS_AT + ((<u32>runCount) << 2);
  store<i32>(at, out);
  store<i32>(at + 4, index);
  store<i32>(at + 8, 1);
  return runCount + 3;
}

/** The pair `high`, `low` is a code point in U+1F300–U+1FAFF, as isPictograph() in normalize.ts. */
function isPictograph(high: u32, low: u32): bool {
  if (high === 0xd83c) return low >= 0xdf00 && low <= 0xdfff;
  if (high === 0xd83d) return low >= 0xdc00 && low <= 0xdfff;
  if (high === 0xd83e) return low >= 0xdc00 && low <= 0xdeff;
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// The term matcher's walks: as in term-matcher.ts.

/** findAccepts()'s answer when it gives up. */
const GIVE_UP: i32 = -1;
// The matcher's tables, by configureMatcher(): byte offsets into this memory, and its settings.
let readingsAt: u32 = 0;
let nextAt: u32 = 0;
let wideNext = false;
let slowEntry: i32 = 0;
let acceptsAt: u32 = 0;
let firstUnitsAt: u32 = 0;
let triplesAt: u32 = 0;
let leetStartsAt: u32 = 0;
let readingCount: i32 = 0;
let stretchedLetters = false;
let hasWatchedStarts = false;
/** The accepting nodes listed so far by the current findAccepts(). */
let events: i32 = 0;
/** Per node, where its terms start in the terms list (i32, one more than the nodes); 0 until configureTerms(). */
let nodeTermsAt: u32 = 0;
/** Per term: flags, scope (i32 each), by node. */
let termsAt: u32 = 0;

export function configureTerms(nodeTerms: u32, terms: u32): void {
  nodeTermsAt = nodeTerms;
  termsAt = terms;
}

/**
 * TermMatcher.blockingHits(): normalizes the `length` units at INPUT_AT, walks them, and turns the accepting
 * nodes reached into hits as accept() does (at HITS_AT: their count at RESULT_AT[5], and how many the
 * word-start walks made at RESULT_AT[6]); 1 when some blocking term's hit is not covered by an allowing term's
 * hit of its scope (each such hit marked HIT_BLOCKS), 0 when none is, -1 when the walks gave up and -2 when
 * the fold pass did (the caller then takes the long way, from what did not give up: see RESULT_AT).
 */
export function scanClean(length: i32): i32 {
  const out = foldPass(length);
  if (out < 0) return -2;
  const listed = nodeTermsAt === 0 ? GIVE_UP : findAccepts(out, load<i32>(RESULT_AT + 4));
  store<i32>(RESULT_AT + 16, listed);
  if (listed < 0) return GIVE_UP;
  const byWordStarts = load<i32>(RESULT_AT + 12);
  let hitsByWordStarts: i32 = -1;
  let hits: i32 = 0;
  for (let index: i32 = 0; index < listed; index++) {
    if (index === byWordStarts) hitsByWordStarts = hits;
    const at = EVENTS_AT + ((<u32>index) << 4);
    const node = load<i32>(at);
    const start = load<i32>(at + 4);
    const end = load<i32>(at + 8);
    const afterWord = load<i32>(at + 12) !== 0;
    const beforeWord = isWordAt(end);
    const last = load<i32>(nodeTermsAt + ((<u32>(node + 1)) << 2));
    for (let term = load<i32>(nodeTermsAt + ((<u32>node) << 2)); term < last; term++) {
      const flags = load<i32>(termsAt + ((<u32>term) << 3));
      if (afterWord && (flags & (TERM_STARTS_WITH_WORD | TERM_OPEN_START)) === TERM_STARTS_WITH_WORD)
        continue;
      if (beforeWord && (flags & (TERM_ENDS_WITH_WORD | TERM_OPEN_END)) === TERM_ENDS_WITH_WORD) continue;
      if (hits >= HITS_CAPACITY) return GIVE_UP;
      const hitAt = HITS_AT + ((<u32>hits) << 4);
      store<i32>(hitAt, (flags & TERM_OPEN_START) !== 0 ? wordStart(start) : start);
      store<i32>(hitAt + 4, (flags & TERM_OPEN_END) !== 0 ? wordEnd(end) : end);
      store<i32>(hitAt + 8, term);
      store<i32>(hitAt + 12, flags);
      hits++;
    }
  }
  store<i32>(RESULT_AT + 20, hits);
  store<i32>(RESULT_AT + 24, hitsByWordStarts < 0 ? hits : hitsByWordStarts);
  let blocking: i32 = 0;
  for (let index: i32 = 0; index < hits; index++) {
    const at = HITS_AT + ((<u32>index) << 4);
    const flags = load<i32>(at + 12);
    if ((flags & TERM_ALLOWS) !== 0) continue;
    if (isAllowed(load<i32>(at), load<i32>(at + 4), scopeOf(load<i32>(at + 8)), hits)) continue;
    store<i32>(at + 12, flags | HIT_BLOCKS);
    blocking = 1;
  }
  return blocking;
}

function scopeOf(term: i32): i32 {
  return load<i32>(termsAt + ((<u32>term) << 3) + 4);
}

/** An allowing hit of `scope` (or of every scope) covers `[start, end)` (isAllowed() in evaluate.ts). */
function isAllowed(start: i32, end: i32, scope: i32, hits: i32): bool {
  for (let index: i32 = 0; index < hits; index++) {
    const at = HITS_AT + ((<u32>index) << 4);
    if ((load<i32>(at + 12) & TERM_ALLOWS) === 0) continue;
    const allowScope = scopeOf(load<i32>(at + 8));
    if (allowScope !== EVERY_SCOPE && allowScope !== scope) continue;
    if (load<i32>(at) <= start && end <= load<i32>(at + 4)) return true;
  }
  return false;
}

function wordStart(index: i32): i32 {
  let start = index;
  while (start > 0 && isWordAt(start - 1)) start--;
  return start;
}

function wordEnd(index: i32): i32 {
  let end = index;
  // The word flags end with a 0 after the last unit.
  while (isWordAt(end)) end++;
  return end;
}

export function configureMatcher(
  readings: u32,
  next: u32,
  wide: bool,
  slow: i32,
  accepts: u32,
  firstUnits: u32,
  triples: u32,
  leetStarts: u32,
  count: i32,
  stretch: bool,
  watchedStarts: bool,
): void {
  readingsAt = readings;
  nextAt = next;
  wideNext = wide;
  slowEntry = slow;
  acceptsAt = accepts;
  firstUnitsAt = firstUnits;
  triplesAt = triples;
  leetStartsAt = leetStarts;
  readingCount = count;
  stretchedLetters = stretch;
  hasWatchedStarts = watchedStarts;
}

function unitAt(index: i32): i32 {
  return <i32>load<u16>(UNITS_AT + ((<u32>index) << 1));
}

function isWordAt(index: i32): bool {
  return load<u8>(WORDS_AT + <u32>index) !== 0;
}

function readingOf(unit: i32): i32 {
  return <i32>load<u16>(readingsAt + ((<u32>unit) << 1));
}

function nextOf(entry: i32): i32 {
  return wideNext ? load<i32>(nextAt + ((<u32>entry) << 2)) : <i32>load<u16>(nextAt + ((<u32>entry) << 1));
}

function accepts(node: i32): bool {
  return load<u8>(acceptsAt + <u32>node) !== 0;
}

/** Lists an accepting node; false when the list is full. */
function listAccept(node: i32, start: i32, end: i32, afterWord: bool): bool {
  if (events >= EVENTS_CAPACITY) return false;
  const at = EVENTS_AT + ((<u32>events) << 4);
  store<i32>(at, node);
  store<i32>(at + 4, start);
  store<i32>(at + 8, end);
  store<i32>(at + 12, afterWord ? 1 : 0);
  events++;
  return true;
}

/**
 * The number of accepting nodes listed at EVENTS_AT (the first RESULT_AT[3] of them by the word-start walks),
 * or GIVE_UP. Reads the units, candidates and word flags of the last foldPass().
 */
export function findAccepts(length: i32, candidateCount: i32): i32 {
  events = 0;
  let oneLetterWords: i32 = 0;
  let watchedCount: i32 = 0;
  for (let index: i32 = 0; index < candidateCount; index++) {
    const candidate = load<i32>(CANDIDATES_AT + ((<u32>index) << 2));
    const start = candidate >>> CANDIDATE_SHIFT;
    const first = unitAt(start);
    const second = unitAt(start + 1);
    const third = unitAt(start + 2);
    const startsWord = candidate & STARTS_WORD;
    const firstReading = readingOf(first) & READING;
    const secondReading = readingOf(second);
    const thirdReading = readingOf(third) & READING;
    oneLetterWords += startsWord & (secondReading >>> ENDS_WORD_AFTER_SHIFT);
    const pairIndex = firstReading * readingCount + (secondReading & READING);
    const bit = (pairIndex * readingCount + thirdReading) << 1;
    const bits = load<i32>(triplesAt + ((<u32>bit >>> 5) << 2)) >>> (bit & 31);
    const plain = bits & 1;
    const anywhere = (bits >>> 1) & 1;
    const repeats = i32(second === first) | i32(third === second);
    const leetStart = <i32>load<u8>(leetStartsAt + <u32>first);
    if ((candidate & IS_WATCHED) !== 0 && (anywhere | repeats | leetStart) !== 0) {
      if ((anywhere | leetStart) !== 0 || mayMatchStretched(ANYWHERE_TRIPLE, length, start) !== 0) {
        store<i32>(WATCHED_AT + ((<u32>watchedCount) << 2), start);
        watchedCount++;
      }
    }
    if ((startsWord & (plain | repeats)) === 0) continue;
    if (plain === 0 && mayMatchStretched(WORD_START_TRIPLE, length, start) === 0) continue;
    if (!walk(WORD_START_ROOT, CLASS_WORD_START, length, start, false, stretchedLetters)) return GIVE_UP;
  }
  if (oneLetterWords >= MIN_SPELLED_LETTERS) return GIVE_UP;
  store<i32>(RESULT_AT + 12, events);
  if (!hasWatchedStarts) return events;
  for (let index: i32 = 0; index < watchedCount; index++) {
    const start = load<i32>(WATCHED_AT + ((<u32>index) << 2));
    const afterWord = start > 0 && isWordAt(start - 1);
    if (!walk(ANYWHERE_ROOT, CLASS_ANYWHERE, length, start, afterWord, stretchedLetters)) return GIVE_UP;
    if (!afterWord && load<u8>(leetStartsAt + <u32>unitAt(start)) === 1) {
      if (!walk(WORD_START_ROOT, CLASS_WORD_START, length, start, false, false)) return GIVE_UP;
    }
  }
  return events;
}

function mayMatchThree(which: i32, first: i32, second: i32, third: i32): i32 {
  const bit =
    ((((readingOf(first) & READING) * readingCount + (readingOf(second) & READING)) * readingCount +
      (readingOf(third) & READING)) <<
      1) +
    which;
  return (load<i32>(triplesAt + ((<u32>bit >>> 5) << 2)) >>> (bit & 31)) & 1;
}

/** TermMatcher.mayMatchStretched(). */
function mayMatchStretched(which: i32, length: i32, start: i32): i32 {
  const a = unitAt(start);
  let index = start + 1;
  while (index < length && unitAt(index) === a && index - start < MAX_COUNTED_RUN) index++;
  const k1 = index - start;
  const b = index < length ? unitAt(index) : 0;
  const bStart = index;
  index++;
  while (index < length && unitAt(index) === b && index - bStart < MAX_COUNTED_RUN) index++;
  const k2 = index - bStart;
  const c = index < length ? unitAt(index) : 0;
  if (k1 >= MAX_COUNTED_RUN || k2 >= MAX_COUNTED_RUN) return 1;
  return (
    mayMatchThree(which, a, b, c) |
    (k1 >= 2 ? mayMatchThree(which, a, a, b) : 0) |
    (k1 >= 3 ? mayMatchThree(which, a, a, a) : 0) |
    (k2 >= 2 ? mayMatchThree(which, a, b, b) : 0)
  );
}

/** TermMatcher.walk(): false when it gives up. */
function walk(root: i32, rootClass: i32, length: i32, start: i32, afterWord: bool, stretch: bool): bool {
  const first = unitAt(start);
  const node = nextOf(root * readingCount + (readingOf(first) & READING));
  if (node === slowEntry) return false;
  if (node === DEAD) return true;
  if ((<i32>load<u8>(firstUnitsAt + <u32>first) & rootClass) === 0 && !hasAsciiLetter(start)) return true;
  if (accepts(node) && !listAccept(node, start, start + 1, afterWord)) return false;
  return walkFrom(node, first, start + 1, length, start, afterWord, stretch);
}

/** TermMatcher.walkFrom(). */
function walkFrom(
  reached: i32,
  last: i32,
  from: i32,
  length: i32,
  start: i32,
  afterWord: bool,
  stretch: bool,
): bool {
  let node = reached;
  let previous = last;
  for (let index = from; index < length; index++) {
    const unit = unitAt(index);
    const next = nextOf(node * readingCount + (readingOf(unit) & READING));
    if (next === slowEntry) return false;
    if (unit === previous && stretch && isStretchable(index)) {
      if (next !== DEAD) return walkStates(next, node, index, length, start, afterWord);
    } else if (next === DEAD) return true;
    else node = next;
    if (accepts(node) && !listAccept(node, start, index + 1, afterWord)) return false;
    previous = unit;
  }
  return true;
}

/** TermMatcher.walkStates(). */
function walkStates(advanced: i32, stayed: i32, from: i32, length: i32, start: i32, afterWord: bool): bool {
  let states = STATES_AT;
  let next = NEXT_STATES_AT;
  store<i32>(states, advanced);
  store<i32>(states + 4, stayed);
  let count: i32 = 2;
  for (let index = from; index < length; index++) {
    if (index > from) {
      const unit = unitAt(index);
      const repeats = unit === unitAt(index - 1) && isStretchable(index);
      const column = readingOf(unit) & READING;
      let nextCount: i32 = 0;
      for (let k: i32 = 0; k < count; k++) {
        const node = load<i32>(states + ((<u32>k) << 2));
        const moved = nextOf(node * readingCount + column);
        if (moved === slowEntry) return false;
        if (moved !== DEAD && !listed(next, nextCount, moved)) {
          store<i32>(next + ((<u32>nextCount) << 2), moved);
          nextCount++;
        }
        if (repeats && !listed(next, nextCount, node)) {
          store<i32>(next + ((<u32>nextCount) << 2), node);
          nextCount++;
        }
      }
      if (nextCount === 0) return true;
      const read = states;
      states = next;
      next = read;
      count = nextCount < MAX_STATES ? nextCount : MAX_STATES;
    }
    for (let k: i32 = 0; k < count; k++) {
      const node = load<i32>(states + ((<u32>k) << 2));
      if (accepts(node) && !listAccept(node, start, index + 1, afterWord)) return false;
    }
  }
  return true;
}

function listed(states: u32, count: i32, node: i32): bool {
  for (let k: i32 = 0; k < count; k++) if (load<i32>(states + ((<u32>k) << 2)) === node) return true;
  return false;
}

/** Letters stretch; digits do not. */
function isStretchable(index: i32): bool {
  const unit = unitAt(index);
  return !(unit >= 0x30 && unit <= 0x39) && isWordAt(index);
}

/** The word that starts at `position` has an ASCII letter (hasAsciiLetter() in term-matcher.ts). */
function hasAsciiLetter(position: i32): bool {
  const from = isWordAt(position) ? position : position + 1;
  // The word flags end with a 0 after the last unit.
  for (let index = from; isWordAt(index); index++) {
    const unit = unitAt(index);
    if ((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a)) return true;
  }
  return false;
}
