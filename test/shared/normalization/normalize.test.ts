import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCodePoint, normalize, normalizeText } from '../../../shared/normalization/normalize.js';

describe('normalize', () => {
  it.each([
    ['case folding', 'HeLLo', 'hello'],
    ['full case folding of sharp s', 'STRAẞE Straße', 'strasse strasse'],
    ['fullwidth letters (NFKC)', 'ｓｈｉｔ', 'shit'],
    ['circled letters (NFKC)', 'ⓕⓤⓒⓚ', 'fuck'],
    ['mathematical bold letters (NFKC)', '𝐬𝐡𝐢𝐭', 'shit'],
    ['ligatures (NFKC)', 'ﬁne', 'fine'],
    ['precomposed diacritics', 'vehículo café', 'vehiculo cafe'],
    ['combining diacritics', 'cafe\u0301', 'cafe'],
    ['zalgo stacks', 'f̸̡u̵c̷k', 'fuck'],
    ['zero-width space, joiner and soft hyphen', 'f\u200Bu\u200Dc\u00ADk', 'fuck'],
    ['bidi controls', 'f\u202Euck', 'fuck'],
    ['runs of separators collapse', 'a \t\u00A0\u3000 b', 'a b'],
    ['blank braille pattern is a separator', 'a\u2800b', 'a b'],
    ['Cyrillic text is kept', 'Привет', 'привет'],
    ['CJK text is kept', '你好世界', '你好世界'],
    ['Devanagari vowel signs are kept', 'नमस्ते', 'नमस्ते'],
    ['emoji are kept', 'gg 🎉', 'gg 🎉'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('maps every normalized unit back to the original code point it came from', () => {
    const input = 'Ｘ café\u200B ß!';
    const { text, originStart, originEnd } = normalize(input);
    expect(text).toBe('x cafe ss!');
    const origins = [...text].map((_, index) => input.slice(originStart[index], originEnd[index]));
    // The zero-width space is attributed to the letter before it; ß expands to two units of one origin.
    expect(origins).toEqual(['Ｘ', ' ', 'c', 'a', 'f', 'é\u200B', ' ', 'ß', 'ß', '!']);
  });

  it('attributes stacked marks to their base letter', () => {
    const input = 'u\u0308\u0301x';
    const { text, originStart, originEnd } = normalize(input);
    expect(text).toBe('ux');
    expect([originStart[0], originEnd[0]]).toEqual([0, 3]);
  });

  it('marks word units', () => {
    const { isWord } = normalize('ab, 1🎉é');
    expect([...isWord]).toEqual([1, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('folds one code point at a time', () => {
    expect(foldCodePoint('\u200B')).toBe('');
    expect(foldCodePoint('\u00A0')).toBe(' ');
    expect(foldCodePoint('Ǆ')).toBe('dz');
  });

  it('keeps spans ordered, in bounds and covering the original for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (input) => {
        const { text, originStart, originEnd, isWord } = normalize(input);
        expect(originStart.length).toBe(text.length);
        expect(originEnd.length).toBe(text.length);
        expect(isWord.length).toBe(text.length);
        for (let index = 0; index < text.length; index++) {
          const start = originStart[index] ?? -1;
          const end = originEnd[index] ?? -1;
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(input.length);
          if (index > 0) expect(start).toBeGreaterThanOrEqual(originStart[index - 1] ?? 0);
        }
      }),
    );
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (input) => {
        const once = normalizeText(input);
        expect(normalizeText(once)).toBe(once);
      }),
    );
  });
});
