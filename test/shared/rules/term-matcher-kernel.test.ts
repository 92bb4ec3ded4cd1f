import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.js';
import { readEvalCorpus } from '../../../bench/scoring.js';
import { normalize, normalizeTransient } from '../../../shared/normalization/normalize.js';
import type { CompiledPolicy } from '../../../shared/rules/compile-policy.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

/**
 * findAll()'s walks in WebAssembly (fold-pass.as.ts) against its own: on units the watch's kernel normalized,
 * the kernel lists the accepting nodes and term-matcher.ts makes the hits; on a copy of the same units
 * (normalize(), not normalizeTransient()) findAll() walks them itself. Both must give the same hits in the
 * same order.
 */

const readingsOff: CompiledPolicy = compilePolicy({
  ...defaultPolicy.document,
  settings: { ...defaultPolicy.document.settings, stretchedLetters: false, leetspeak: false },
});

function hitsBothWays(policy: CompiledPolicy, text: string) {
  const { matcher } = policy;
  const byKernel = matcher.findAll(normalizeTransient(text, matcher.watch)).map(({ source, start, end }) => ({
    source,
    start,
    end,
  }));
  const byJs = matcher.findAll(normalize(text, matcher.watch)).map(({ source, start, end }) => ({
    source,
    start,
    end,
  }));
  return { byKernel, byJs };
}

const texts = [
  ...generateCorpus({ count: 3_000, seed: 0x1f2e3d4c, minLength: 10, maxLength: 200, profaneShare: 0.1 }).map(
    (message) => message.text,
  ),
  ...generateCorpus({ count: 200, seed: 0x500c_4a75, minLength: 500, maxLength: 500, profaneShare: 0.1 }).map(
    (message) => message.text,
  ),
  ...readEvalCorpus().map((evalCase) => evalCase.text),
];

describe('the term matcher’s walks in WebAssembly', () => {
  for (const [name, policy] of [
    ['the default policy', defaultPolicy],
    ['the default policy without stretched letters and leetspeak', readingsOff],
  ] as const) {
    it(`find the hits findAll() finds, in its order, on both corpora (${name}), and walk most messages`, () => {
      const kernel = policy.matcher.watch.kernel;
      if (kernel === undefined) throw new Error('no kernel');
      const findAccepts = vi.spyOn(kernel, 'findAccepts');
      let hits = 0;
      for (const text of texts) {
        const { byKernel, byJs } = hitsBothWays(policy, text);
        hits += byJs.length;
        if (JSON.stringify(byKernel) !== JSON.stringify(byJs))
          expect({ text, hits: byKernel }).toEqual({ text, hits: byJs });
      }
      expect(hits).toBeGreaterThan(1_000);
      const walked = findAccepts.mock.results.filter(
        (result) => result.type === 'return' && result.value >= 0,
      ).length;
      expect(walked / texts.length).toBeGreaterThan(0.85);
      findAccepts.mockRestore();
    });
  }

  it('find the same hits on any mix of letters, lookalikes, leet, stretches, separators and emoji', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'fuck',
        'shit',
        'cunt',
        'bitch',
        'ass',
        'cock',
        'dick',
        'scunthorpe',
        'cocktail',
        'class',
      ),
      fc.constantFrom(...'abcdfhiknorstu aeiou'.split('')),
      fc.constantFrom('uuu', 'ssss', 'iii', 'kk', 'cc', '00', '11'),
      fc.constantFrom('$', '@', '!', '|', '1', '3', '4', '0', '5', '7', '.', '-', '_', '*', ' ', '  '),
      fc.constantFrom('с', 'а', 'ѕ', 'Ｆ', 'ᴄ', '\u200b', '\u0301', '🔥', '❤️', 'ß', '𝐟'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        for (const policy of [defaultPolicy, readingsOff]) {
          const { byKernel, byJs } = hitsBothWays(policy, text);
          expect(byKernel).toEqual(byJs);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
