/**
 * The fold table's entries and the candidate list's bits, in a module of their own that imports nothing: esbuild
 * writes the values of such a module's constants into the code that imports them (a constant it cannot inline
 * is a context load, a Smi check and, for 1 << 30, a double compare on every unit), and the WebAssembly kernel
 * (fold-pass.as.ts, AssemblyScript) imports the same file, so both passes read one definition.
 */

/** A unit not seen yet: normalize.ts learns its fold. */
export const UNKNOWN = -1;
/** A unit that expands (ß → ss) or is half of a surrogate pair that is not a pictograph. */
export const NOT_ONE_UNIT = -2;
/** A unit that vanishes (a mark, an invisible character). */
export const DROP = -3;
/**
 * A unit that folds to 2 to MAX_EXPANSION units of the BMP (ß → ss, ﬁ → fi), listed in the kernel's expansions
 * table: its entry is EXPANSION_BASE - slot. Negative, so normalize.ts's own pass takes it the slow way.
 */
export const EXPANSION_BASE = -16;
export const MAX_EXPANSION = 4;
/** Set in an entry whose unit is a word unit. */
export const WORD_SHIFT = 16;
export const WORD_FLAG = 1 << WORD_SHIFT;
/** Set in an entry whose unit is the space. */
export const SPACE_FLAG = 0x20000;
/** Set in an entry whose unit is watched. */
export const WATCH_SHIFT = 18;
export const WATCH_FLAG = 1 << WATCH_SHIFT;
/** The entry of a high surrogate that starts pictographs (see isPictograph), with WATCH_FLAG if watched. */
export const PICTOGRAPH_HIGH = 1 << 30;

/** Bits of a `candidates` entry below its offset. */
export const CANDIDATE_SHIFT = 2;
/** A `candidates` entry whose unit starts a word. */
export const STARTS_WORD = 1;
/** A `candidates` entry whose unit the watch marks. */
export const IS_WATCHED = 2;
