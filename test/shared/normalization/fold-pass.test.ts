import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.js';
import { readEvalCorpus } from '../../../bench/scoring.js';
import { createFoldKernel, unitWriter } from '../../../shared/normalization/fold-kernel.js';
import type { NormalizedText, UnitWatch } from '../../../shared/normalization/normalize.js';
import {
  createUnitWatch,
  normalizeInJs,
  normalizeTransient,
} from '../../../shared/normalization/normalize.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

/**
 * The WebAssembly pass (fold-pass.as.ts) against normalize.ts's own, which it must match unit for unit on
 * every message it takes: the same folded units, word starts, watched units and map back to the original.
 */

/** What a transient result holds, copied before the next call overwrites it, and which pass made it. */
function snapshot(normalized: NormalizedText, watch: UnitWatch | undefined) {
  return {
    byKernel: watch?.kernel !== undefined && normalized.buffer === watch.kernel.units,
    text: normalized.text,
    units: Array.from(normalized.units),
    afterUnits: normalized.buffer[normalized.length],
    runs: normalized.runs === undefined ? undefined : [...normalized.runs],
    candidates: Array.from(normalized.candidates.subarray(0, normalized.candidateCount)),
    wordStarts: [...normalized.wordStarts],
    watched: [...normalized.watched],
  };
}

function bothPasses(text: string, watch: UnitWatch) {
  const { byKernel, ...kernel } = snapshot(normalizeTransient(text, watch), watch);
  const { byKernel: _, ...js } = snapshot(normalizeInJs(text, watch), watch);
  return { byKernel, kernel, js };
}

/** Each of `texts`, normalized once for normalize.ts to learn its units: whether the kernel takes it, and the same result either way. */
function expectBothPasses(texts: readonly string[], watch: UnitWatch, byKernelExpected: boolean): void {
  for (const text of texts) {
    bothPasses(text, watch);
    const { byKernel, kernel, js } = bothPasses(text, watch);
    expect({ text, byKernel }).toEqual({ text, byKernel: byKernelExpected });
    expect(kernel).toEqual(js);
  }
}

const policyWatch = defaultPolicy.matcher.watch;
/** A watch of its own, so that its fold table starts empty. */
const freshWatch = () => createUnitWatch(new Uint8Array(0x10000).fill(1, 0x61, 0x7b));

describe('the WebAssembly fold pass', () => {
  it('exists here: Node.js runs WebAssembly, so the tests below test it', () => {
    expect(createFoldKernel()).toBeDefined();
    expect(policyWatch.kernel).toBeDefined();
  });

  it('gives up on units the fold table does not know yet, and takes them once normalize.ts has learned them', () => {
    const watch = freshWatch();
    const text = 'Fuck\u200b you, ÇA VA?  🔥❤️ ok';
    const first = bothPasses(text, watch);
    expect(first.byKernel).toBe(false);
    const second = bothPasses(text, watch);
    expect(second.byKernel).toBe(true);
    expect(second.kernel).toEqual(second.js);
    expect(second.kernel.text).toBe('fuck you, ca va? 🔥❤ ok');
    // A run per stretch of one-for-one units, broken where the zero-width space, a space and VS16 vanished.
    expect(second.kernel.runs).toEqual([0, 0, 1, 4, 5, 1, 17, 19, 1, 20, 23, 1]);
  });

  it('expands what folds to two to four units (ß → ss, ﬁ → fi, ㍿ → 株式会社), each unit mapped to the one it came from', () => {
    const watch = freshWatch();
    expectBothPasses(['straße', 'ﬁne ﬃ', '㍿ ok', 'STRASSE ẞ', 'a ﬁ  ß'], watch, true);
    const { kernel } = bothPasses('straße', watch);
    expect(kernel.text).toBe('strasse');
    expect(kernel.runs).toEqual([0, 0, 1, 4, 4, 0, 6, 5, 1]);
  });

  it('leaves an expanding unit to normalize.ts once the expansions table is full', () => {
    const watch = freshWatch();
    for (let slot = 0; slot < 1024; slot++) watch.kernel?.addExpansion([0x61, 0x61]);
    expectBothPasses(['straße'], watch, false);
  });

  it('lists expansions until its table is full, and refuses any past it or longer than four units', () => {
    const kernel = createFoldKernel();
    if (kernel === undefined) throw new Error('no kernel');
    const entries = [0x73, 0x73];
    const slots: (number | undefined)[] = [];
    for (let slot = 0; slot < 1024; slot++) slots.push(kernel.addExpansion(entries));
    expect(new Set(slots).size).toBe(1024);
    expect(slots.every((entry) => entry !== undefined && entry < -3)).toBe(true);
    expect(kernel.addExpansion(entries)).toBeUndefined();
    expect(createFoldKernel()?.addExpansion([0x61, 0x62, 0x63, 0x64, 0x65])).toBeUndefined();
  });

  it('leaves to normalize.ts what folds to more than four units, other astral code points and lone surrogates', () => {
    expectBothPasses(['\ufdfa', '𝐟𝐮𝐜𝐤', 'a\ud83dz', 'end\ud83c', 'x\udc00y'], freshWatch(), false);
  });

  it('leaves messages over its capacity to normalize.ts, which normalizes them as before', () => {
    const kernel = policyWatch.kernel;
    if (kernel === undefined) throw new Error('no kernel');
    const text = 'hello world '.repeat(Math.ceil((kernel.capacity + 1) / 12));
    const { byKernel, kernel: fromKernelPath, js } = bothPasses(text, policyWatch);
    expect(byKernel).toBe(false);
    expect(fromKernelPath).toEqual(js);
  });

  it('matches normalize.ts on the benchmark corpus and the evaluation corpus, and takes most of them', () => {
    const texts = [
      ...generateCorpus({
        count: 3_000,
        seed: 0x1f2e3d4c,
        minLength: 10,
        maxLength: 200,
        profaneShare: 0.1,
      }).map((message) => message.text),
      ...readEvalCorpus().map((evalCase) => evalCase.text),
    ];
    for (const watch of [policyWatch, freshWatch()]) {
      for (const text of texts) bothPasses(text, watch);
      let taken = 0;
      for (const text of texts) {
        const { byKernel, kernel, js } = bothPasses(text, watch);
        if (byKernel) taken++;
        if (JSON.stringify(kernel) !== JSON.stringify(js))
          expect({ message: text, ...kernel }).toEqual({ message: text, ...js });
      }
      expect(taken / texts.length).toBeGreaterThan(0.9);
    }
  });

  it('matches normalize.ts on any mix of letters, spaces, invisibles, marks, emoji and surrogates', () => {
    const piece = fc.oneof(
      fc.constantFrom(...'aAbBsSfFuUcCkK 1!$@.\t\u00a0\u3000'.split('')),
      fc.constantFrom('\u200b', '\u200d', '\ufe0f', '\u00ad', '\u0301', '\u0336', '\u20dd'),
      fc.constantFrom('😀', '🔥', '❤', '🇺🇸', '👍🏽', '\ud83c', '\ud83d', '\udc00', '\udfff'),
      fc.constantFrom('ß', 'ﬁ', 'а', 'е', 'с', 'Ｆ', '𝐟', 'ᴀ', '🅐', 'ı', 'İ'),
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    );
    const watch = freshWatch();
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        bothPasses(text, watch);
        const { kernel, js } = bothPasses(text, watch);
        expect(kernel).toEqual(js);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('unitWriter', () => {
  const text = 'fück 🔥 ＦＵＣＫ\u200b\ud800 x';
  const expected = Buffer.from(text, 'utf16le');

  it("copies a message's UTF-16 units, lone surrogates too, through Node's ucs2Write", () => {
    const bytes = Buffer.alloc(64, 0xff);
    expect(typeof Reflect.get(bytes, 'ucs2Write')).toBe('function');
    unitWriter(bytes)(text);
    expect(bytes.subarray(0, expected.length)).toEqual(expected);
    // Nothing after the message is touched.
    expect(bytes.subarray(expected.length).every((byte) => byte === 0xff)).toBe(true);
  });

  it('falls back on Buffer#write where a runtime has no ucs2Write', () => {
    const bytes = Buffer.alloc(64, 0xff);
    // This runtime's Buffer#write ends in ucs2Write: the stand-in for one without it calls the original.
    const ucs2Write: unknown = Reflect.get(Buffer.prototype, 'ucs2Write');
    if (typeof ucs2Write !== 'function') throw new Error('this Node has no ucs2Write');
    const writes: unknown[][] = [];
    Object.defineProperty(bytes, 'ucs2Write', { value: undefined });
    Object.defineProperty(bytes, 'write', {
      value: (...parameters: unknown[]) => {
        writes.push(parameters);
        return ucs2Write.call(bytes, parameters[0], parameters[1]);
      },
    });
    unitWriter(bytes)(text);
    expect(writes).toEqual([[text, 0, 'utf16le']]);
    expect(bytes.subarray(0, expected.length)).toEqual(expected);
    expect(bytes.subarray(expected.length).every((byte) => byte === 0xff)).toBe(true);
  });
});
