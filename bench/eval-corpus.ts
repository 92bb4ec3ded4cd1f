import { seededRandom } from './corpus.js';

/**
 * The evaluation corpus: chat lines labelled with what the default policy
 * should do with them, in classes. Positives carry a profane word written the
 * way evaders write it; negatives are clean chat that naive filters flag.
 * Generated from a fixed seed, so the committed file can be checked against
 * this code (test/bench/eval-corpus.test.ts).
 */
export interface EvalCase {
  readonly text: string;
  readonly expected: 'flag' | 'clean';
  /** The evasion class of a positive, or the false-positive class of a negative. */
  readonly class: string;
}

const SEED = 0x5eed_2026;

const PROFANE = [
  'fuck',
  'shit',
  'bitch',
  'cunt',
  'asshole',
  'whore',
  'slut',
  'bastard',
  'wanker',
  'twat',
  'faggot',
];
const INFLECTED = [
  'fucks',
  'fucked',
  'fucking',
  'fucker',
  'fuckers',
  'shits',
  'shitty',
  'bitches',
  'bitching',
  'cunts',
  'assholes',
  'whores',
  'sluts',
  'bastards',
  'wankers',
  'faggots',
];
const POSITIVE_TEMPLATES = [
  '{w}',
  'what the {w}',
  'you {w}',
  'this lag is {w} annoying',
  'lol {w} off',
  'stop being a {w} pls',
  'omg {w}!!',
  'gg {w} team',
];

const LEET: Readonly<Record<string, string>> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const LEET_SYMBOLS: Readonly<Record<string, string>> = { a: '@', s: '$', i: '!' };
/** Latin letters and the Cyrillic or Greek letters drawn the same. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  o: '\u043e',
  p: '\u0440',
  x: '\u0445',
  y: '\u0443',
  i: '\u0456',
  s: '\u0455',
  h: '\u04bb',
  k: '\u03ba',
  u: '\u03c5',
  t: '\u03c4',
  n: '\u0578',
  w: '\u051d',
};
const SMALL_CAPITALS = 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ';
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff'];
const MARKS = ['\u0301', '\u0308', '\u0336', '\u0327', '\u0489', '\u035c', '\u0317'];
const SEPARATORS = ['.', ' ', '-', '_', '*', '. '];

type Random = () => number;
const pick = <T>(items: readonly T[], random: Random): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};
const mapLetters = (word: string, map: (letter: string, index: number) => string) =>
  [...word].map((letter, index) => map(letter, index)).join('');
const offsetLetters = (word: string, lowerA: number) =>
  mapLetters(word, (letter) => String.fromCodePoint(lowerA + letter.charCodeAt(0) - 0x61));

/** Each evasion class: how evaders disguise a word. */
const EVASIONS: Readonly<Record<string, (word: string, random: Random) => string>> = {
  plain: (word) => word,
  case: (word, random) => mapLetters(word, (letter) => (random() < 0.5 ? letter.toUpperCase() : letter)),
  leetspeak: (word, random) => {
    const letters = [...word];
    const candidates = letters.flatMap((letter, index) =>
      LEET[letter] || LEET_SYMBOLS[letter] ? [index] : [],
    );
    if (candidates.length === 0) return word.replace(/u/, 'v');
    const index = pick(candidates, random);
    const letter = letters[index] ?? '';
    letters[index] = (random() < 0.7 ? LEET[letter] : LEET_SYMBOLS[letter]) ?? LEET[letter] ?? letter;
    return letters.join('');
  },
  lookalike: (word, random) => {
    const letters = [...word];
    const candidates = letters.flatMap((letter, index) => (LOOKALIKES[letter] ? [index] : []));
    const index = pick(candidates.length > 0 ? candidates : [0], random);
    letters[index] = LOOKALIKES[letters[index] ?? ''] ?? letters[index] ?? '';
    return letters.join('');
  },
  fullwidth: (word) => offsetLetters(word, 0xff41),
  mathematical: (word, random) => offsetLetters(word, pick([0x1d41a, 0x1d482, 0x1d5ee, 0x1d68a], random)),
  enclosed: (word, random) =>
    random() < 0.5
      ? offsetLetters(word, 0x24d0)
      : mapLetters(word, (letter) => String.fromCodePoint(0x1f170 + letter.charCodeAt(0) - 0x61)),
  'small-capitals': (word) =>
    mapLetters(word, (letter) => SMALL_CAPITALS[letter.charCodeAt(0) - 0x61] ?? letter),
  invisible: (word, random) =>
    mapLetters(
      word,
      (letter, index) => (index > 0 && random() < 0.6 ? pick(INVISIBLE, random) : '') + letter,
    ),
  zalgo: (word, random) =>
    mapLetters(
      word,
      (letter) =>
        letter + Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(MARKS, random)).join(''),
    ),
  stretched: (word, random) => {
    const index = Math.floor(random() * word.length);
    return (
      word.slice(0, index + 1) +
      (word[index] ?? '').repeat(2 + Math.floor(random() * 4)) +
      word.slice(index + 1)
    );
  },
  separated: (word, random) => [...word].join(pick(SEPARATORS, random)),
};

/** Each false-positive class: clean words and phrases that contain, or look like, listed terms. */
const CLEAN: Readonly<Record<string, readonly string[]>> = {
  scunthorpe: [
    'Scunthorpe',
    'Penistone',
    'Cockburn',
    'cocktail',
    'peacock',
    'Hancock',
    'shiitake',
    'assassin',
    'assessment',
    'class',
    'classic',
    'bass',
    'grass',
    'passage',
    'analysis',
    'analyst',
    'Essex',
    'Sussex',
    'Middlesex',
    'butterscotch',
    'arsenal',
    'therapist',
    'grapes',
    'document',
    'circumstance',
    'cucumber',
    'title',
    'hello',
    'shell',
    'button',
    'cockpit',
    'raccoon',
    'cocoon',
    'Mississippi',
    'skyscraper',
    'assume',
    'bassist',
    'compass',
    'embarrass',
    'cumulative',
    'accumulate',
    'Dickens',
    'Kung-Fu',
    'Hitchcock',
    'shuttlecock',
    'spicy',
    'specialist',
    'twattle',
    'Sextant',
    'Matsushita',
    'Whorlton',
    'sluice',
  ],
  names: [
    'Dick Van Dyke',
    'Moby Dick',
    'Philip K. Dick',
    'Dick Tracy',
    'Tom Hanks',
    'Ada Lovelace',
    'Jürgen Klopp',
    'Björk',
    'Siobhán',
    'Nguyễn',
  ],
  places: [
    'Scunthorpe',
    'São Paulo',
    'Zürich',
    'Kraków',
    'Reykjavík',
    'Penistone',
    'Clitheroe',
    'Cockermouth',
    'Bastia',
    'Wankie',
  ],
  diacritics: [
    'café au lait',
    'vehículo rápido',
    'niño',
    'Fußball',
    'crème brûlée',
    'smörgåsbord',
    'fiancée',
    'señor',
    'ça va',
    'naïve',
  ],
  cyrillic: ['привет всем', 'спасибо большое', 'хорошо', 'как дела', 'до свидания'],
  cjk: ['你好世界', 'こんにちは', '감사합니다', 'ありがとう', '加油'],
  urls: [
    'https://example.com/path?q=1',
    'www.twitch.tv/somechannel',
    'mail me at a@b.co',
    'see docs.aws.amazon.com/ivs',
    'http://localhost:8080',
  ],
  numbers: [
    '142,460 points',
    '1337 kills',
    'gg 3-0',
    '+1',
    'room 101',
    '2026-11-27',
    '0.5x speed',
    '5318008',
  ],
  emoji: ['gg 🎉🎉', '❤️❤️', '😂😂😂', '👍', '🐐 goat', '🔥🔥🔥'],
  chat: [
    'hey everyone',
    'that was a clutch play',
    'what build are you running',
    'first time here, love the stream',
    'this song slaps',
    'can you turn the music down',
    'the boss has two phases',
    'ranked is rough today',
    'who else is watching from work',
    'brb getting snacks',
  ],
};
const CLEAN_TEMPLATES = ['{w}', 'I love {w}', '{w} is great', 'have you seen {w}?', 'lol {w}'];

function fill(template: string, word: string): string {
  return template.replace('{w}', word);
}

export function generateEvalCorpus(): EvalCase[] {
  const random = seededRandom(SEED);
  const cases: EvalCase[] = [];
  for (const [name, evade] of Object.entries(EVASIONS)) {
    for (const word of PROFANE) {
      for (let variant = 0; variant < 3; variant++) {
        cases.push({
          text: fill(pick(POSITIVE_TEMPLATES, random), evade(word, random)),
          expected: 'flag',
          class: name,
        });
      }
    }
  }
  for (const word of INFLECTED) {
    for (let variant = 0; variant < 2; variant++) {
      cases.push({
        text: fill(pick(POSITIVE_TEMPLATES, random), word),
        expected: 'flag',
        class: 'inflection',
      });
    }
  }
  for (const [name, words] of Object.entries(CLEAN)) {
    for (const word of words) {
      for (const template of CLEAN_TEMPLATES)
        cases.push({ text: fill(template, word), expected: 'clean', class: name });
    }
  }
  return cases;
}

/** The committed form: one JSON object per line. */
export function serializeEvalCorpus(cases: readonly EvalCase[]): string {
  return `${cases.map((entry) => JSON.stringify(entry)).join('\n')}\n`;
}
