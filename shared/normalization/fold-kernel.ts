import { FOLD_PASS_WASM } from './fold-pass-wasm.js';

/**
 * A fold table and the WebAssembly pass that reads it (fold-pass.as.ts), in one memory: the table is a view of
 * the kernel's memory, so what normalize.ts learns into it the pass sees at once. Each kernel has its own
 * buffers, which its next pass overwrites.
 */
export interface FoldKernel {
  /** The fold table: 0x10000 entries, filled by the caller. */
  readonly folds: Int32Array;
  /** The longest input, in UTF-16 units. */
  readonly capacity: number;
  /** The input's bytes: write the message here (UTF-16LE) before calling `pass`. */
  readonly inputBytes: Buffer;
  /** The output's units, then a 0. */
  readonly units: Uint16Array;
  readonly candidates: Int32Array;
  readonly runs: Int32Array;
  /** After a pass: [output length, candidate count, run count]; after findAccepts, the word starts' events. */
  readonly result: Int32Array;
  /** Normalizes the `length` units written into `inputBytes`: the output's length, or -1 when it cannot. */
  readonly pass: (length: number) => number;
  /** The kernel's memory, whose bytes from `freeAt` on are the caller's (`extraBytes` of them). */
  readonly memory: ArrayBuffer;
  readonly freeAt: number;
  /** See fold-pass.as.ts: the term matcher's tables, by offset into `memory`, and its settings. */
  readonly configureMatcher: (...settings: number[]) => void;
  /** The walks over the last pass's output: the number of accepting nodes listed in `events`, or -1. */
  readonly findAccepts: (length: number, candidateCount: number) => number;
  /** Four i32 per accepting node: node, start, end, 1 if after a word. */
  readonly events: Int32Array;
}

const PAGE_BYTES = 0x10000;
let compiled: WebAssembly.Module | undefined;

/** The kernel's exports this module reads, checked rather than cast. */
function offsetOf(exports: WebAssembly.Exports, name: string): number {
  const value = exports[name];
  if (!(value instanceof WebAssembly.Global) || typeof value.value !== 'number')
    throw new Error(`fold-pass.wasm exports no offset ${name}`);
  return value.value;
}

/**
 * A new kernel, or undefined where WebAssembly cannot run (normalize.ts then keeps its own pass for every
 * message). The module is compiled on first use: 758 bytes, well under a millisecond.
 */
export function createFoldKernel(extraBytes = 0): FoldKernel | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  compiled ??= new WebAssembly.Module(Buffer.from(FOLD_PASS_WASM, 'base64'));
  // Instantiated with one page, then grown once to the size its layout asks for: the memory never grows
  // again, so the views below stay attached.
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { exports } = new WebAssembly.Instance(compiled, { env: { memory } });
  const { foldPass, configureMatcher, findAccepts } = exports;
  if (
    typeof foldPass !== 'function' ||
    typeof configureMatcher !== 'function' ||
    typeof findAccepts !== 'function'
  )
    throw new Error('fold-pass.wasm lacks a function');
  // 8-byte aligned, for the tables put there.
  const freeAt = Math.ceil(offsetOf(exports, 'END') / 8) * 8;
  memory.grow(Math.ceil((freeAt + extraBytes) / PAGE_BYTES) - 1);
  const capacity = offsetOf(exports, 'CAPACITY');
  const { buffer } = memory;
  const inputAt = offsetOf(exports, 'INPUT_AT');
  return {
    folds: new Int32Array(buffer, offsetOf(exports, 'FOLDS_AT'), 0x10000),
    capacity,
    inputBytes: Buffer.from(buffer, inputAt, (capacity + 1) * 2),
    units: new Uint16Array(buffer, offsetOf(exports, 'UNITS_AT'), capacity + 8),
    candidates: new Int32Array(buffer, offsetOf(exports, 'CANDIDATES_AT'), capacity + 8),
    runs: new Int32Array(buffer, offsetOf(exports, 'RUNS_AT'), 3 * (capacity + 8)),
    result: new Int32Array(buffer, offsetOf(exports, 'RESULT_AT'), 4),
    // i32 results: always numbers, which `Number() | 0` tells the type checker at no cost to the JIT.
    pass: (length) => Number(foldPass(length)) | 0,
    memory: buffer,
    freeAt,
    configureMatcher: (...settings) => {
      configureMatcher(...settings);
    },
    findAccepts: (length, candidateCount) => Number(findAccepts(length, candidateCount)) | 0,
    events: new Int32Array(buffer, offsetOf(exports, 'EVENTS_AT'), 4 * offsetOf(exports, 'EVENTS_CAPACITY')),
  };
}
