import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  foldAt,
  foldCodePoint,
  isWordAt,
  normalize,
  normalizeText,
  normalizeTransient,
  originalSpan,
} from '../../../shared/normalization/normalize.js';

describe('normalize', () => {
  it.each([
    ['case folding', 'HeLLo', 'hello'],
    ['full case folding of sharp s', 'STRAẞE Straße', 'strasse strasse'],
    ['fullwidth letters (NFKC)', 'ｓｈｉｔ', 'shit'],
    ['circled letters (NFKC)', 'ⓕⓤⓒⓚ', 'fuck'],
    ['mathematical bold letters (NFKC)', '𝐬𝐡𝐢𝐭', 'shit'],
    ['ligatures (NFKC)', 'ﬁne', 'fine'],
    ['small capitals (curated)', 'ꜰᴜᴄᴋ', 'fuck'],
    ['negative squared and circled capitals (curated)', '🆂🅷🅸🆃 🅕🅤🅒🅚', 'shit fuck'],
    ['Cyrillic enclosing marks in Zalgo', 'f\u0489u\u0488ck', 'fuck'],
    ['precomposed diacritics', 'vehículo café', 'vehiculo cafe'],
    ['combining diacritics', 'cafe\u0301', 'cafe'],
    ['zalgo stacks', 'f̸̡u̵c̷k', 'fuck'],
    ['a combining mark that upper-cases to a letter (U+0345)', 'f\u0345u\u0345ck', 'fuck'],
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
    const normalized = normalize(input);
    expect(normalized.text).toBe('x cafe ss!');
    const origins = [...normalized.text].map((_, index) => {
      const { start, end } = originalSpan(normalized, index, index + 1);
      return input.slice(start, end);
    });
    // The zero-width space is attributed to the letter before it; ß expands to two units of one origin.
    expect(origins).toEqual(['Ｘ', ' ', 'c', 'a', 'f', 'é\u200B', ' ', 'ß', 'ß', '!']);
  });

  it('attributes stacked marks to their base letter', () => {
    const normalized = normalize('u\u0308\u0301x');
    expect(normalized.text).toBe('ux');
    expect(originalSpan(normalized, 0, 1)).toEqual({ start: 0, end: 3 });
  });

  it('maps text that folds unit for unit without a run table', () => {
    const normalized = normalize('Hello, Wörld 42! 🎉');
    expect(normalized.text).toBe('hello, world 42! 🎉');
    expect(normalized.runs).toBeUndefined();
    const unchanged = 'already folded';
    expect(normalize(unchanged).text).toBe(unchanged);
    expect(originalSpan(normalized, 7, 12)).toEqual({ start: 7, end: 12 });
    expect(normalize('a  b').text).toBe('a b');
    expect(normalize('a\tb').text).toBe('a b');
  });

  it('tells word units apart, including both halves of an astral letter', () => {
    const text = 'ab, 1🎉é𝐀';
    expect([...text.split('').keys()].map((index) => (isWordAt(text, index) ? 1 : 0))).toEqual([
      1, 1, 0, 0, 1, 0, 0, 1, 1, 1,
    ]);
  });

  it('folds one code point at a time', () => {
    expect(foldCodePoint('\u200B')).toBe('');
    expect(foldCodePoint('\u00A0')).toBe(' ');
    expect(foldCodePoint('Ǆ')).toBe('dz');
  });

  it('keeps spans ordered, in bounds and non-empty for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (input) => {
        const normalized = normalize(input);
        let previousStart = 0;
        for (let index = 0; index < normalized.text.length; index++) {
          const { start, end } = originalSpan(normalized, index, index + 1);
          expect(start).toBeGreaterThanOrEqual(previousStart);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(input.length);
          previousStart = start;
        }
      }),
    );
  });

  it('gives the fast path and the general path the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ 09!?.-'.split('')), maxLength: 40 }), (input) => {
        // A leading zero-width space forces the general path without changing the text.
        expect(normalizeText(input)).toBe(normalizeText(`\u200B${input}`));
      }),
    );
  });

  it('maps every unit as a code-point-by-code-point reference does', () => {
    const pieces = fc.constantFrom(
      'a',
      'B',
      ' ',
      '  ',
      'ß',
      'é',
      'e\u0301',
      '\u200B',
      '🎉',
      '𝐀',
      'ﬃ',
      '\t',
      'İ',
      '\ud800',
      'x',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (parts) => {
        const input = parts.join('');
        const normalized = normalize(input);
        // Reference: fold each code point alone, collapse separators, remember each unit's origin.
        const origins: number[] = [];
        let text = '';
        for (let index = 0; index < input.length; ) {
          const { folded, width } = foldAt(input, index);
          if (folded !== '' && !(folded === ' ' && text.endsWith(' '))) {
            text += folded;
            // Same width: unit for unit; another width: every unit from the code point's start.
            for (let k = 0; k < folded.length; k++) origins.push(folded.length === width ? index + k : index);
          }
          index += width;
        }
        expect(normalized.text).toBe(text);
        origins.forEach((origin, unit) => {
          expect(originalSpan(normalized, unit, unit + 1).start).toBe(origin);
        });
      }),
    );
  });

  it('reads nothing a previous message left in its buffers', () => {
    // A lone high surrogate at the end once paired with the low surrogate an earlier, longer message left.
    normalizeTransient('abcd\udc95');
    expect(normalizeTransient('abc\ud83d').text).toBe('abc\ud83d');
    normalizeTransient('abcd\udc95');
    expect(normalize('abc\ud83d').text).toBe('abc\ud83d');
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
