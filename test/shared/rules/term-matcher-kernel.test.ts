import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.js';
import { readEvalCorpus } from '../../../bench/scoring.js';
import { normalize, normalizeTransient } from '../../../shared/normalization/normalize.js';
import type { CompiledPolicy } from '../../../shared/rules/compile-policy.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage, evaluateNormalized } from '../../../shared/rules/evaluate.js';
import type { TermRole } from '../../../shared/rules/term-matcher.js';
import { TermMatcher } from '../../../shared/rules/term-matcher.js';
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

  for (const [name, policy] of [
    ['the default policy', defaultPolicy],
    ['the default policy without stretched letters and leetspeak', readingsOff],
  ] as const) {
    it(`judge a message clean exactly when evaluate.ts finds no blocking hit in it (${name})`, () => {
      const { matcher } = policy;
      const kernel = matcher.watch.kernel;
      if (kernel === undefined) throw new Error('no kernel');
      const scan = vi.spyOn(kernel, 'scan');
      const answers = { clean: 0, blocking: 0, unknown: 0 };
      const fuzzed = fc.sample(fc.string({ unit: 'grapheme', maxLength: 60 }), { numRuns: 2_000, seed: 7 });
      for (const [index, text] of [...texts, ...fuzzed].entries()) {
        const surelyClean = matcher.isSurelyClean(text);
        const answer = scan.mock.results.at(-1);
        const scanned = answer?.type === 'return' ? answer.value : undefined;
        // The long way, all in JavaScript: normalize() copies, so findAll() walks the copy itself.
        const decision = evaluateNormalized(normalize(text, matcher.watch), {}, policy);
        const blocked = decision.matches.length > 0;
        if (scanned === 1 || scanned === 0)
          expect({ text, blocked }).toEqual({ text, blocked: scanned === 1 });
        expect(surelyClean).toBe(scanned === 0);
        // Counted on the corpora alone: random Unicode is mostly what the kernel leaves to JavaScript.
        if (index >= texts.length) continue;
        if (scanned === 0) answers.clean++;
        else if (scanned === 1) answers.blocking++;
        else answers.unknown++;
      }
      expect(answers.blocking).toBeGreaterThan(200);
      expect(answers.clean).toBeGreaterThan(3_000);
      expect(answers.unknown / texts.length).toBeLessThan(0.15);
      scan.mockRestore();
    });
  }

  for (const [name, policy] of [
    ['the default policy', defaultPolicy],
    ['the default policy without stretched letters and leetspeak', readingsOff],
  ] as const) {
    it(`list the blocking hits evaluate.ts keeps of findAll()'s, in its order, and decide alike (${name})`, () => {
      const { matcher } = policy;
      const fuzzed = fc.sample(fc.string({ unit: 'grapheme', maxLength: 60 }), { numRuns: 2_000, seed: 11 });
      let blocked = 0;
      for (const text of [...texts, ...fuzzed]) {
        const byKernel = matcher
          .blockingHits(text)
          ?.map(({ source, tag, start, end }) => ({ source, tag, start, end }));
        // The long way, all in JavaScript, over a copy: findAll() walks it itself.
        const hits = matcher.findAll(normalize(text, matcher.watch));
        const byJs = hits
          .filter(
            (hit) =>
              hit.tag.kind === 'block' &&
              !hits.some(
                (other) =>
                  other.tag.kind === 'allow' &&
                  (other.tag.rule === 'all' || other.tag.rule === hit.tag.rule) &&
                  other.start <= hit.start &&
                  hit.end <= other.end,
              ),
          )
          .map(({ source, tag, start, end }) => ({ source, tag, start, end }));
        if (byKernel !== undefined && JSON.stringify(byKernel) !== JSON.stringify(byJs))
          expect({ text, hits: byKernel }).toEqual({ text, hits: byJs });
        if (byKernel !== undefined && byKernel.length > 0) blocked++;
        const decision = evaluateMessage(text, {}, policy);
        const longWay = evaluateNormalized(normalize(text, matcher.watch), {}, policy);
        if (JSON.stringify(decision) !== JSON.stringify(longWay))
          expect({ text, decision }).toEqual({ text, decision: longWay });
      }
      expect(blocked).toBeGreaterThan(200);
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

describe('isSurelyClean() on hand-made cases at the edges of a hit', () => {
  type Term = readonly [source: string, role: TermRole];
  const block = (source: string, scope = 0): Term => [source, { allows: false, scope }];
  const allow = (source: string, scope = -1): Term => [source, { allows: true, scope }];
  const matcherOf = (terms: readonly Term[]) =>
    new TermMatcher(
      terms.map(([source, role]) => ({ source, tag: role })),
      { stretchedLetters: true, leetspeak: true, roleOf: (role) => role },
    );

  it.each([
    { terms: [block('*ass'), allow('bass')], text: 'play the bass', clean: true },
    // An open end reaches the end of the word.
    { terms: [block('*ass'), allow('bas*')], text: 'bass', clean: true },
    // The allowing hit ends one unit before the blocking one: it does not cover it.
    { terms: [block('dick!'), allow('dick')], text: 'dick!', clean: false },
    { terms: [block('dick!'), allow('dick!')], text: 'dick!', clean: true },
    { terms: [block('ass', 0), allow('ass', 1)], text: 'an ass', clean: false },
    { terms: [block('ass', 0), allow('ass', 0)], text: 'an ass', clean: true },
    { terms: [block('ass', 0), allow('ass', -1)], text: 'an ass', clean: true },
    { terms: [block('ass')], text: 'assassin class', clean: true },
    { terms: [block('ass')], text: 'you ass!', clean: false },
    { terms: [block('fuck*')], text: 'fucking hell', clean: false },
    { terms: [block('fuck')], text: 'fuuuuck', clean: false },
    { terms: [block('fuck')], text: 'f u c k', clean: false },
    { terms: [block('shit')], text: 'sh1t', clean: false },
    {
      terms: [block('*cock*'), allow('peacock*'), allow('cocktail*')],
      text: 'peacocks and cocktails',
      clean: true,
    },
    { terms: [block('*cock*'), allow('peacock*')], text: 'peacocks and cocktails', clean: false },
  ])('$text with $terms.length terms: clean $clean', ({ terms, text, clean }) => {
    const matcher = matcherOf(terms);
    const hits = matcher.findAll(normalize(text, matcher.watch));
    const blocking = hits.some(
      (hit) =>
        !hit.tag.allows &&
        !hits.some(
          (other) =>
            other.tag.allows &&
            (other.tag.scope === -1 || other.tag.scope === hit.tag.scope) &&
            other.start <= hit.start &&
            hit.end <= other.end,
        ),
    );
    expect(blocking).toBe(!clean);
    expect(matcher.isSurelyClean(text)).toBe(clean);
  });
});
