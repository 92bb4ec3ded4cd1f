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

/** `[unit, letter]`: the UTF-16 unit and the Latin letter it is drawn like. */
export const LOOKALIKE_PAIRS: readonly (readonly [number, number])[] = PAIRS.map(([lookalike, latin]) => [
  lookalike.charCodeAt(0),
  latin.charCodeAt(0),
]);

function table(pairs: readonly (readonly [number, number])[]): Readonly<Uint16Array> {
  const letters = new Uint16Array(0x10000);
  for (const [unit, letter] of pairs) letters[unit] = letter;
  return letters;
}

/** Per UTF-16 unit: the Latin letter it is drawn like, or 0. */
export const LATIN_LOOKALIKES = table(LOOKALIKE_PAIRS);

/**
 * Digits and symbols that stand for letters in leetspeak ("sh1t", "b!tch",
 * "4sshole"), and the v of "fvck". Read only where the matcher is already inside a word that has
 * letters, so numbers stay numbers ("142,460", "1337").
 */
export const LEET_PAIRS: readonly (readonly [number, number])[] = [
  '0o',
  '1i',
  '3e',
  '4a',
  '5s',
  '7t',
  '8b',
  '9g',
  '@a',
  '$s',
  '!i',
  '|l',
  '+t',
  'vu',
].map((pair) => [pair.charCodeAt(0), pair.charCodeAt(1)]);

/** Per UTF-16 unit: the letter it stands for in leetspeak, or 0. */
export const LEET_LETTERS = table(LEET_PAIRS);
