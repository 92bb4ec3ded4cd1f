import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEET_PAIRS, LOOKALIKE_PAIRS } from '../../../shared/normalization/lookalikes.js';
import type { NormalizedText } from '../../../shared/normalization/normalize.js';
import {
  normalize,
  normalizeText,
  normalizeTransient,
  originalSpan,
} from '../../../shared/normalization/normalize.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

/** Enough runs to cover each step's generator well, few enough to keep the suite fast. */
const RUNS = { numRuns: 300 };

const fromCodes = (codes: readonly number[]) =>
  fc.constantFrom(...codes.map((code) => String.fromCodePoint(code)));
const range = (first: number, last: number) =>
  fc.integer({ min: first, max: last }).map((code) => String.fromCodePoint(code));
const letters = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));

/** The pieces each normalization step reads, mixed with plain letters so that they land inside words. */
const steps = {
  'compatibility forms (NFKC)': fc.oneof(
    range(0xff01, 0xff5e), // fullwidth
    range(0x24b6, 0x24e9), // circled letters
    range(0x1d400, 0x1d7ff), // mathematical alphanumerics
    range(0xfb00, 0xfb06), // ligatures
    fromCodes([0x00bd, 0x00b2, 0x2075, 0x337f, 0xfdfa, 0x1d2c, 0x2122, 0x3250]), // fractions, super, squared, long expansions
  ),
  'case folding': fc.oneof(
    letters,
    fromCodes([0xdf, 0x1e9e, 0x130, 0x131, 0x17f, 0x3a3, 0x3c2, 0x1c4, 0x1c5, 0x410, 0x42f, 0x10400]),
  ),
  'diacritics, combining marks and Zalgo': fc.oneof(
    letters,
    range(0x300, 0x36f),
    range(0x483, 0x489),
    range(0x1ab0, 0x1aff),
    range(0x1dc0, 0x1dff),
    range(0x20d0, 0x20ff),
    range(0xfe20, 0xfe2f),
    fromCodes([0xe9, 0xfc, 0xf1, 0x1ea5, 0x915, 0x93f, 0x64b]), // precomposed, and marks of other scripts (kept)
  ),
  'invisible characters': fc.oneof(
    letters,
    range(0x200b, 0x200f),
    range(0x202a, 0x202e),
    range(0x2060, 0x2064),
    range(0xfe00, 0xfe0f),
    range(0xe0000, 0xe007f),
    fromCodes([0xad, 0x34f, 0x115f, 0x1160, 0x3164, 0xffa0, 0xfeff, 0x180e]),
  ),
  separators: fc.oneof(
    letters,
    range(0x2000, 0x200a),
    fromCodes([
      0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0x00, 0x1f, 0x7f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f,
    ]),
    fromCodes([0x205f, 0x3000, 0x2800, 0xfe70]),
  ),
  'lookalike letters': fc.oneof(
    letters,
    fromCodes(LOOKALIKE_PAIRS.map(([unit]) => unit)),
    range(0x1f150, 0x1f169), // negative circled capitals
    range(0x1f170, 0x1f189), // negative squared capitals
    fromCodes([...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ'].map((small) => small.codePointAt(0) ?? 0)),
  ),
  'leetspeak symbols': fc.oneof(letters, fromCodes(LEET_PAIRS.map(([unit]) => unit))),
  'stretched letters': fc
    .tuple(letters, fc.integer({ min: 1, max: 6 }))
    .map(([letter, times]) => letter.repeat(times)),
  'spelled-out letters': fc
    .tuple(letters, fc.constantFrom('.', ' ', '-', '_', '. ', '..', ' - '))
    .map(([letter, gap]) => letter + gap),
  'any code point, surrogate halves included': fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    range(0xd800, 0xdfff),
    fromCodes([0xd83d, 0xdd95, 0xd83c, 0xdf89]),
  ),
};

const textOf = (piece: fc.Arbitrary<string>) =>
  fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));

/** Every unit maps into the original, and units in order come from code points in order. */
function expectSpansInOriginal(normalized: NormalizedText): void {
  const { original } = normalized;
  let previousStart = 0;
  for (let unit = 0; unit < normalized.units.length; unit++) {
    const { start, end } = originalSpan(normalized, unit, unit + 1);
    expect(start).toBeGreaterThanOrEqual(previousStart);
    expect(end).toBeGreaterThan(start);
    expect(end).toBeLessThanOrEqual(original.length);
    previousStart = start;
  }
  const whole = originalSpan(normalized, 0, normalized.units.length);
  if (normalized.units.length > 0) expect(whole.end).toBeLessThanOrEqual(original.length);
}

describe.each(Object.entries(steps))('normalization step: %s', (_step, piece) => {
  const text = textOf(piece);

  it('never throws, alone or with a matcher watch', () => {
    fc.assert(
      fc.property(text, (input) => {
        expect(() => normalize(input)).not.toThrow();
        expect(() => normalizeTransient(input, defaultPolicy.matcher.watch)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('maps every unit into the original, in order', () => {
    fc.assert(
      fc.property(text, (input) => {
        expectSpansInOriginal(normalize(input));
      }),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(text, (input) => {
        const once = normalizeText(input);
        expect(normalizeText(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('lists word starts and watched units in order, inside the text', () => {
    fc.assert(
      fc.property(text, (input) => {
        const normalized = normalize(input, defaultPolicy.matcher.watch);
        for (const list of [normalized.wordStarts, normalized.watched]) {
          list.forEach((offset, index) => {
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThan(normalized.units.length);
            if (index > 0) expect(offset).toBeGreaterThan(list[index - 1] ?? -1);
          });
        }
      }),
      RUNS,
    );
  });

  it('gives the transient form the same text, runs and lists as the copy', () => {
    fc.assert(
      fc.property(text, (input) => {
        const copy = normalize(input, defaultPolicy.matcher.watch);
        const transient = normalizeTransient(input, defaultPolicy.matcher.watch);
        expect(transient.text).toBe(copy.text);
        expect(transient.runs).toEqual(copy.runs);
        expect(transient.wordStarts).toEqual(copy.wordStarts);
        expect(transient.watched).toEqual(copy.watched);
      }),
      RUNS,
    );
  });

  // The readings the matcher adds on top (leetspeak, stretched and spelled-out letters) get the
  // same guarantees end to end, under the default policy, which turns every one of them on.
  it('reviews without throwing, with match spans inside the original', () => {
    fc.assert(
      fc.property(text, (input) => {
        const decision = evaluateMessage(input, {}, defaultPolicy);
        for (const match of decision.matches) {
          expect(match.start).toBeGreaterThanOrEqual(0);
          expect(match.end).toBeGreaterThan(match.start);
          expect(match.end).toBeLessThanOrEqual(input.length);
        }
      }),
      RUNS,
    );
  });

  it('reviews the normalized text as it reviews the original', () => {
    fc.assert(
      fc.property(text, (input) => {
        const rules = (content: string) => {
          const decision = evaluateMessage(content, {}, defaultPolicy);
          return {
            verdict: decision.verdict,
            rules: [...new Set(decision.matches.map((match) => match.ruleId))],
          };
        };
        expect(rules(normalizeText(input))).toEqual(rules(input));
      }),
      RUNS,
    );
  });
});
