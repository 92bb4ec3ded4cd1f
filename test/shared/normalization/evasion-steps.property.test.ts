import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../../shared/normalization/normalize.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

/**
 * One property suite per evasion step, end to end on the default policy: a word disguised by the step is seen in
 * any sentence, and clean words disguised the same way stay clean. (normalize.properties.test.ts checks each
 * step's own invariants: no throw, spans into the original, idempotence.)
 */

const RUNS = { numRuns: 200 };
const WORDS = ['fuck', 'shit', 'bitch', 'cunt', 'whore', 'slut', 'wanker'];
const CLEAN = ['hello', 'great', 'stream', 'class', 'title', 'cocktail', 'assessment', 'scunthorpe'];

const word = fc.constantFrom(...WORDS);
const cleanWord = fc.constantFrom(...CLEAN);
const flags = (text: string) => evaluateMessage(text, {}, defaultPolicy).verdict !== 'allow';

/** Rewrites each letter of `text` with `rewrite(letter, index)`. */
const perLetter = (text: string, rewrite: (letter: string, index: number) => string) =>
  [...text].map((letter, index) => rewrite(letter, index)).join('');

/** A step: how it rewrites a word, and whether its output normalizes back to the plain word. */
interface Step {
  readonly name: string;
  readonly disguise: fc.Arbitrary<(word: string) => string>;
  /** Normalization alone undoes it (others are read by the matcher: lookalikes, leetspeak, stretching, spacing). */
  readonly normalizes: boolean;
}

const fullwidth = (letter: string) => String.fromCodePoint((letter.codePointAt(0) ?? 0) - 0x61 + 0xff41);
const mathematicalBold = (letter: string) =>
  String.fromCodePoint((letter.codePointAt(0) ?? 0) - 0x61 + 0x1d41a);
const CYRILLIC: Readonly<Record<string, string>> = {
  a: 'а',
  c: 'с',
  e: 'е',
  o: 'о',
  p: 'р',
  x: 'х',
  y: 'у',
  i: 'і',
};
const LEET: Readonly<Record<string, string>> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

const STEPS: readonly Step[] = [
  {
    name: 'case folding',
    disguise: fc
      .array(fc.boolean(), { minLength: 8, maxLength: 8 })
      .map(
        (upper) => (text: string) =>
          perLetter(text, (letter, index) => (upper[index % 8] ? letter.toUpperCase() : letter)),
      ),
    normalizes: true,
  },
  {
    name: 'compatibility forms (fullwidth, mathematical)',
    disguise: fc
      .constantFrom(fullwidth, mathematicalBold)
      .map((form) => (text: string) => perLetter(text, form)),
    normalizes: true,
  },
  {
    name: 'combining marks and Zalgo',
    disguise: fc
      .array(fc.integer({ min: 0x300, max: 0x36f }), { minLength: 1, maxLength: 6 })
      .map(
        (marks) => (text: string) =>
          perLetter(
            text,
            (letter, index) => letter + String.fromCharCode(...marks.slice(0, 1 + (index % marks.length))),
          ),
      ),
    normalizes: true,
  },
  {
    name: 'invisible characters',
    disguise: fc
      .constantFrom('\u200b', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufeff')
      .map(
        (invisible) => (text: string) =>
          perLetter(text, (letter, index) => (index === 0 ? letter : invisible + letter)),
      ),
    normalizes: true,
  },
  {
    name: 'lookalike letters',
    disguise: fc.constant((text: string) => {
      // One lookalike among Latin letters: the matcher reads it as Latin only inside a partly Latin word.
      const at = [...text].findIndex((letter) => CYRILLIC[letter] !== undefined);
      return at < 0
        ? text
        : perLetter(text, (letter, index) => (index === at ? (CYRILLIC[letter] ?? letter) : letter));
    }),
    normalizes: false,
  },
  {
    name: 'leetspeak',
    disguise: fc.constant((text: string) => {
      const at = [...text].findIndex((letter, index) => index > 0 && LEET[letter] !== undefined);
      return at < 0
        ? text
        : perLetter(text, (letter, index) => (index === at ? (LEET[letter] ?? letter) : letter));
    }),
    normalizes: false,
  },
  {
    name: 'stretched letters',
    disguise: fc
      .integer({ min: 2, max: 7 })
      .map(
        (times) => (text: string) =>
          perLetter(text, (letter, index) => (index === 1 ? letter.repeat(times) : letter)),
      ),
    normalizes: false,
  },
  {
    name: 'separators between single letters',
    disguise: fc
      .constantFrom('.', ' ', '-', '_', '. ')
      .map((separator) => (text: string) => [...text].join(separator)),
    normalizes: false,
  },
];

describe.each(STEPS)('normalization step: $name', ({ disguise, normalizes }) => {
  if (normalizes) {
    it('normalizes the disguised word to the plain one', () => {
      fc.assert(
        fc.property(word, disguise, (term, rewrite) => {
          expect(normalizeText(rewrite(term))).toBe(term);
        }),
        RUNS,
      );
    });
  }

  it('lets the default policy see the disguised word in a sentence', () => {
    fc.assert(
      fc.property(cleanWord, word, disguise, cleanWord, (before, term, rewrite, after) => {
        expect(flags(`${before} ${rewrite(term)} ${after}`)).toBe(true);
      }),
      RUNS,
    );
  });

  it('does not make a clean sentence flagged', () => {
    fc.assert(
      fc.property(fc.array(cleanWord, { minLength: 1, maxLength: 5 }), disguise, (words, rewrite) => {
        expect(flags(words.map(rewrite).join(' '))).toBe(false);
      }),
      RUNS,
    );
  });
});
