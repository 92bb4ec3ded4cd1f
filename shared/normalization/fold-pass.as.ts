/**
 * normalizePass()'s common case compiled to WebAssembly (AssemblyScript, built by `npm run build:wasm` into
 * fold-pass-wasm.ts): every code point that folds to one unit, vanishes, collapses into a space or is a
 * pictograph. Anything else (a unit not yet in the fold table, an expansion such as ß → ss, another astral
 * code point, a lone surrogate) makes it give up, and normalize.ts runs its own pass over the whole message.
 * The results are identical by construction and by test (test/shared/normalization/fold-pass.test.ts): the
 * same table, the same entries, the same lists; only the loop is faster, since WebAssembly has no bounds
 * checks, map checks or deoptimizations to pay for on every unit.
 *
 * The memory is the caller's (one per fold table), laid out as the exported offsets say. The fold table
 * lives in it and normalize.ts fills it: there is nothing to keep in sync.
 */

// The fold table's entries: as in normalize.ts, whose tests pin both copies to the same values.
const UNKNOWN: i32 = -1;
const DROP: i32 = -3;
const WORD_SHIFT: i32 = 16;
const SPACE_FLAG: i32 = 0x20000;
const WATCH_SHIFT: i32 = 18;
const WATCH_FLAG: i32 = 1 << WATCH_SHIFT;
const PICTOGRAPH_HIGH: i32 = 1 << 30;
const CANDIDATE_SHIFT: i32 = 2;
const STARTS_WORD: i32 = 1;
const IS_WATCHED: i32 = 2;

/** The longest message this pass takes, in UTF-16 units. */
export const CAPACITY: i32 = 4096;
/** i32 per UTF-16 unit. */
export const FOLDS_AT: u32 = 0;
/** After a pass: the output's length, the candidates' count and the runs' count (3 i32). */
export const RESULT_AT: u32 = FOLDS_AT + 0x10000 * 4;
/** The message's units, and a 0 after them. */
export const INPUT_AT: u32 = RESULT_AT + 16;
/** The folded units, and a 0 after them. */
export const UNITS_AT: u32 = INPUT_AT + (CAPACITY + 8) * 2;
export const CANDIDATES_AT: u32 = UNITS_AT + (CAPACITY + 8) * 2;
/** A run opens at most once per input unit: three i32 each. */
export const RUNS_AT: u32 = CANDIDATES_AT + (CAPACITY + 8) * 4;
export const END: u32 = RUNS_AT + (CAPACITY + 8) * 12;

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
      index++;
      // A space after a space vanishes, as a zero-width character does.
      if ((entry & previous & SPACE_FLAG) !== 0) {
        aligned = false;
        continue;
      }
      if (!aligned) {
        runCount = openRun(runCount, out, index - 1);
        aligned = true;
      }
      const kind =
        (((entry & ~previous) >>> WORD_SHIFT) & STARTS_WORD) | ((entry >>> (WATCH_SHIFT - 1)) & IS_WATCHED);
      // Written always and counted only when a kind is set: where words start is unpredictable.
      store<i32>(CANDIDATES_AT + ((<u32>count) << 2), (out << CANDIDATE_SHIFT) | kind);
      count += (kind + 3) >>> 2;
      store<u16>(UNITS_AT + ((<u32>out) << 1), <u16>entry);
      out++;
      previous = entry;
      continue;
    }
    if (entry === DROP) {
      index++;
      aligned = false;
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
    out += 2;
    index += 2;
  }
  store<u16>(UNITS_AT + ((<u32>out) << 1), 0);
  store<i32>(RESULT_AT, out);
  store<i32>(RESULT_AT + 4, count);
  store<i32>(RESULT_AT + 8, runCount);
  return out;
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
