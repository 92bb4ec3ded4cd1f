/**
 * The term matcher's numeric constants, in a module of their own that imports nothing: esbuild writes the
 * values of such a module's constants into the code that imports them, where the matcher's own constants
 * (a module with imports) would stay variables. In the hot loops a variable is a context load and a Smi
 * check on every use, and 1 << 30 (not a Smi) a double compare.
 */

/** Node 0 is the dead state (no transition), so a zero in the table ends a walk. */
export const DEAD = 0;
export const WORD_START_ROOT = 1;
export const ANYWHERE_ROOT = 2;
/** A whole-word term starts with this unit. */
export const CLASS_WORD_START = 1;
/** A term that may start anywhere (`*term`, or one that starts with a non-word unit) starts with this unit. */
export const CLASS_ANYWHERE = 2;

/**
 * The walk-table entry that defers to transition() (the unit is in the sparse map) when node
 * numbers fit 16 bits; a table with 32-bit entries uses -1.
 */
export const SLOW_16 = 0xffff;
export const SLOW_32 = -1;

/** The column in a `readings` entry; above it, ENDS_WORD_AFTER. */
export const READING = 0xff;
/** Set in the `readings` entry of a unit that, after a word's first unit, leaves it one letter long. */
export const ENDS_WORD_AFTER_SHIFT = 8;
export const ENDS_WORD_AFTER = 1 << ENDS_WORD_AFTER_SHIFT;
/**
 * In a root pair entry (see rootPairs): the row offset, and the flag above it (tables of a
 * billion entries and more would not fit memory anyway).
 */
export const PAIR_FLAG_SHIFT = 30;
export const PAIR_FLAG = 1 << PAIR_FLAG_SHIFT;
export const PAIR_ROW = PAIR_FLAG - 1;

/** The bit of each root in a pair of bits of the matcher's `triples` (see rootTriples). */
export const WORD_START_TRIPLE = 0;
export const ANYWHERE_TRIPLE = 1;

/** mayMatchStretched() counts runs of equal units up to this long; a longer one may match. */
export const MAX_COUNTED_RUN = 16;

/** Trie states a stretch-following walk tracks at once (see walkStates). */
export const MAX_STATES = 4;

/** The most frequent units get a column in the flat table; rarer ones (large scripts) go to a map. */
export const DENSE_SYMBOLS = 63;
export const SPARSE = 0xffff;

/** A spelled-out term has at least this many letters, and its letters at most this many separator units between them. */
export const MIN_SPELLED_LETTERS = 3;
export const MAX_SPELLING_GAP = 2;

/** A term's flags in the WebAssembly kernel's terms table (see TermMatcher.blockingHits). */
export const TERM_STARTS_WITH_WORD = 1;
export const TERM_ENDS_WITH_WORD = 2;
export const TERM_OPEN_START = 4;
export const TERM_OPEN_END = 8;
/** An allowing term (an allow-list entry); the others block. */
export const TERM_ALLOWS = 16;
/** Set by the kernel in the flags of a blocking hit that no allowing hit covers (see TermMatcher.blockingHits). */
export const HIT_BLOCKS = 32;
/** The scope of an allowing term that covers the blocking terms of every scope. */
export const EVERY_SCOPE = -1;
