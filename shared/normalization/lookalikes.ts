/**
 * Letters of other scripts drawn like a Latin letter, for reading mixed-script
 * words ("fuсk" with a Cyrillic с). Curated rather than taken from a TR39
 * skeleton, which also maps m to "rn"; applied by the matcher only where the
 * Latin reading continues a Latin word, so Cyrillic and Greek text keep their
 * own spelling.
 */
const PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic
  ['а', 'a'],
  ['в', 'b'],
  ['с', 'c'],
  ['ԁ', 'd'],
  ['е', 'e'],
  ['ё', 'e'],
  ['һ', 'h'],
  ['і', 'i'],
  ['ї', 'i'],
  ['ј', 'j'],
  ['к', 'k'],
  ['ӏ', 'l'],
  ['м', 'm'],
  ['п', 'n'],
  ['о', 'o'],
  ['р', 'p'],
  ['ԛ', 'q'],
  ['г', 'r'],
  ['ѕ', 's'],
  ['т', 't'],
  ['у', 'y'],
  ['ѵ', 'v'],
  ['ԝ', 'w'],
  ['х', 'x'],
  ['ү', 'y'],
  // Greek
  ['α', 'a'],
  ['β', 'b'],
  ['ε', 'e'],
  ['η', 'n'],
  ['ι', 'i'],
  ['κ', 'k'],
  ['ν', 'v'],
  ['ο', 'o'],
  ['ρ', 'p'],
  ['τ', 't'],
  ['υ', 'u'],
  ['χ', 'x'],
  ['γ', 'y'],
  // Armenian
  ['ո', 'n'],
  ['ս', 'u'],
  ['օ', 'o'],
  ['հ', 'h'],
];

/** Per UTF-16 unit: the Latin letter it is drawn like, or 0. */
export const LATIN_LOOKALIKES: Readonly<Uint16Array> = (() => {
  const table = new Uint16Array(0x10000);
  for (const [lookalike, latin] of PAIRS) table[lookalike.charCodeAt(0)] = latin.charCodeAt(0);
  return table;
})();

/**
 * Digits and symbols that stand for letters in leetspeak ("sh1t", "b!tch",
 * "4sshole"), and the v of "fvck". Read only where the matcher is already inside a word that has
 * letters, so numbers stay numbers ("142,460", "1337").
 */
export const LEET_LETTERS: Readonly<Uint16Array> = (() => {
  const table = new Uint16Array(0x10000);
  const pairs = ['0o', '1i', '3e', '4a', '5s', '7t', '8b', '9g', '@a', '$s', '!i', '|l', '+t', 'vu'];
  for (const [symbol = '', letter = ''] of pairs) table[symbol.charCodeAt(0)] = letter.charCodeAt(0);
  return table;
})();
