import { EXPANSION_BASE, MAX_EXPANSION } from './fold-constants.js';
import { FOLD_PASS_WASM } from './fold-pass-wasm.js';

const PAGE_BYTES = 0x10000;
/** `listed` while the walks have not run over the last fold pass's output. */
const NOT_WALKED = -2;
let compiled: WebAssembly.Module | undefined;

/** The kernel's exports this module reads, checked rather than cast. */
function offsetOf(exports: WebAssembly.Exports, name: string): number {
  const value = exports[name];
  if (!(value instanceof WebAssembly.Global) || typeof value.value !== 'number')
    throw new Error(`fold-pass.wasm exports no offset ${name}`);
  return value.value;
}

function functionOf(exports: WebAssembly.Exports, name: string): (...parameters: number[]) => unknown {
  const value = exports[name];
  if (typeof value !== 'function') throw new Error(`fold-pass.wasm exports no function ${name}`);
  return value;
}

/**
 * Copies a message's UTF-16 units to the start of `bytes`: Buffer#write(text, 0, 'utf16le') without its
 * argument checks and encoding lookup, by calling the method it ends in, `ucs2Write`, where Node has it (every
 * release so far, undocumented); otherwise Buffer#write. On every message, the copy is about a sixth of a
 * clean one's review, and the skipped JavaScript about a tenth of the copy.
 */
export function unitWriter(bytes: Buffer): (text: string) => void {
  const ucs2Write: unknown = Reflect.get(bytes, 'ucs2Write');
  if (typeof ucs2Write === 'function') return (text) => ucs2Write.call(bytes, text, 0);
  return (text) => bytes.write(text, 0, 'utf16le');
}

/**
 * A fold table and the WebAssembly passes that read it (fold-pass.as.ts), in one memory: the table is a view of
 * the kernel's memory, so what normalize.ts learns into it the passes see at once. Each kernel has its own
 * buffers, which its next pass overwrites, and remembers which message they hold: a message scanned by
 * scan() and then normalized and walked the long way (it held a blocking term) is folded and walked once.
 */
export class FoldKernel {
  /** The fold table: 0x10000 entries, filled by the caller. */
  readonly folds: Int32Array;
  /** The longest input, in UTF-16 units. */
  readonly capacity: number;
  /** The output's units, then a 0. */
  readonly units: Uint16Array;
  readonly candidates: Int32Array;
  readonly runs: Int32Array;
  /** See RESULT_AT in fold-pass.as.ts. */
  readonly result: Int32Array;
  /** Four i32 per accepting node: node, start, end, 1 if after a word. */
  readonly events: Int32Array;
  /** scan()'s hits, four i32 each: start, end, term, term flags (see HITS_AT in fold-pass.as.ts). */
  readonly hits: Int32Array;
  /** The kernel's memory, whose bytes from `freeAt` on are the caller's (`extraBytes` of them). */
  readonly memory: ArrayBuffer;
  readonly freeAt: number;

  /** Copies a message into the input buffer. */
  private readonly writeInput: (text: string) => void;
  /** The expansions table: per slot, the count of units, then MAX_EXPANSION entries. */
  private readonly expansions: Int32Array;
  private expansionCount = 0;
  private readonly foldPass: (length: number) => unknown;
  private readonly findAcceptsPass: (length: number, candidateCount: number) => unknown;
  private readonly scanPass: (length: number) => unknown;
  private readonly configureMatcherPass: (...settings: number[]) => unknown;
  private readonly configureTermsPass: (nodeTermsAt: number, termsAt: number) => unknown;
  /** The message whose fold the buffers hold, if the last pass folded one. */
  private folded: string | undefined = undefined;
  /** What the walks over that fold listed (see findAccepts()), or NOT_WALKED. */
  private listed = NOT_WALKED;

  constructor(module: WebAssembly.Module, extraBytes: number) {
    // Instantiated with one page, then grown once to the size its layout asks for: the memory never grows
    // again, so the views below stay attached.
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(module, { env: { memory } });
    this.foldPass = functionOf(exports, 'foldPass');
    this.findAcceptsPass = functionOf(exports, 'findAccepts');
    this.scanPass = functionOf(exports, 'scanClean');
    this.configureMatcherPass = functionOf(exports, 'configureMatcher');
    this.configureTermsPass = functionOf(exports, 'configureTerms');
    // 8-byte aligned, for the tables put there.
    this.freeAt = Math.ceil(offsetOf(exports, 'END') / 8) * 8;
    memory.grow(Math.ceil((this.freeAt + extraBytes) / PAGE_BYTES) - 1);
    const capacity = offsetOf(exports, 'CAPACITY');
    const { buffer } = memory;
    this.memory = buffer;
    this.capacity = capacity;
    this.folds = new Int32Array(buffer, offsetOf(exports, 'FOLDS_AT'), 0x10000);
    this.writeInput = unitWriter(Buffer.from(buffer, offsetOf(exports, 'INPUT_AT'), (capacity + 1) * 2));
    this.units = new Uint16Array(buffer, offsetOf(exports, 'UNITS_AT'), capacity + 8);
    this.candidates = new Int32Array(buffer, offsetOf(exports, 'CANDIDATES_AT'), capacity + 8);
    this.runs = new Int32Array(buffer, offsetOf(exports, 'RUNS_AT'), 3 * (capacity + 8));
    this.result = new Int32Array(buffer, offsetOf(exports, 'RESULT_AT'), 8);
    this.expansions = new Int32Array(
      buffer,
      offsetOf(exports, 'EXPANSIONS_AT'),
      offsetOf(exports, 'EXPANSION_SLOTS') * (1 + MAX_EXPANSION),
    );
    this.events = new Int32Array(
      buffer,
      offsetOf(exports, 'EVENTS_AT'),
      4 * offsetOf(exports, 'EVENTS_CAPACITY'),
    );
    this.hits = new Int32Array(buffer, offsetOf(exports, 'HITS_AT'), 4 * offsetOf(exports, 'HITS_CAPACITY'));
  }

  /**
   * Lists the fold table entries one unit expands to (2 to MAX_EXPANSION of them): the unit's own fold table
   * entry, or undefined when the table is full (a stream of distinct rare characters), and the unit then
   * stays the slow way's.
   */
  addExpansion(entries: readonly number[]): number | undefined {
    const slots = this.expansions.length / (1 + MAX_EXPANSION);
    if (this.expansionCount >= slots || entries.length < 2 || entries.length > MAX_EXPANSION)
      return undefined;
    const at = this.expansionCount * (1 + MAX_EXPANSION);
    this.expansions[at] = entries.length;
    this.expansions.set(entries, at + 1);
    return EXPANSION_BASE - this.expansionCount++;
  }

  /** Normalizes `text`: the output's length, or -1 when the kernel cannot (a message over `capacity` units). */
  fold(text: string): number {
    if (this.folded === text) return this.result[0] ?? 0;
    if (text.length > this.capacity) return -1;
    this.writeInput(text);
    // i32 results: always numbers, which `Number() | 0` tells the type checker at no cost to the JIT.
    const out = Number(this.foldPass(text.length)) | 0;
    this.folded = out >= 0 ? text : undefined;
    this.listed = NOT_WALKED;
    return out;
  }

  /**
   * The matcher's walks over the last fold: the number of accepting nodes listed in `events`, or -1 when they
   * gave up. Run once per fold.
   */
  findAccepts(): number {
    if (this.listed === NOT_WALKED)
      this.listed = Number(this.findAcceptsPass(this.result[0] ?? 0, this.result[1] ?? 0)) | 0;
    return this.listed;
  }

  /**
   * Normalizes, walks and judges `text` (see scanClean() in fold-pass.as.ts): 1 when it holds a blocking hit,
   * 0 when it surely does not, -1 when the kernel cannot tell (a message over `capacity` units among them).
   * After 0 or 1, `hits` holds the hits (their count in result[5], those of the word-start walks in result[6]).
   */
  scan(text: string): number {
    if (text.length > this.capacity) return -1;
    this.writeInput(text);
    const answer = Number(this.scanPass(text.length)) | 0;
    this.folded = answer === -2 ? undefined : text;
    this.listed = answer === -2 ? NOT_WALKED : (this.result[4] ?? -1);
    return answer < 0 ? -1 : answer;
  }

  /** See fold-pass.as.ts: the term matcher's tables, by offset into `memory`, and its settings. */
  configureMatcher(...settings: number[]): void {
    this.configureMatcherPass(...settings);
  }

  /** See fold-pass.as.ts: the terms of each node, for scan(). */
  configureTerms(nodeTermsAt: number, termsAt: number): void {
    this.configureTermsPass(nodeTermsAt, termsAt);
  }
}

/**
 * A new kernel with `extraBytes` of memory for the caller, or undefined where WebAssembly cannot run
 * (normalize.ts then keeps its own pass for every message). The module is compiled on first use: under 4 KB,
 * well under a millisecond.
 */
export function createFoldKernel(extraBytes = 0): FoldKernel | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  compiled ??= new WebAssembly.Module(Buffer.from(FOLD_PASS_WASM, 'base64'));
  return new FoldKernel(compiled, extraBytes);
}
