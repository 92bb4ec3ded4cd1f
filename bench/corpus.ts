/**
 * A deterministic corpus of chat-sized messages. Generated from a seed rather
 * than committed so every run (and every machine) measures the same text.
 */

export interface CorpusMessage {
  readonly text: string;
  /** `plain`/`evaded`: carries a profane word, as written or disguised; `clean`: meant to be clean. */
  readonly kind: 'clean' | 'plain' | 'evaded';
}

/** mulberry32: tiny, fast and good enough to pick words reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `|`-separated so the lists stay compact under the formatter. */
const list = (words: string): readonly string[] => words.split('|');

const CHAT = list(
  'hi|hello|hey|yo|sup|gg|wp|glhf|lol|lmao|nice|pog|ok|thanks|good morning|good night|see you|' +
    'welcome back|first time here|love this stream|that play was insane|clutch|headshot|respawn|' +
    'so much lag|ping is bad|ranked|boss fight|speedrun|patch notes|loot|raid|tank|healer|noob|push mid|' +
    'nerf this|buff that|what build|which server|is this hardcore mode|one more round|the chat|is|the|' +
    'a|and|but|so|really|very|this|that|you|we',
);
const EMOJI = list('😂|🔥|👍|❤️|🎮|😭|🙏|💯|👀|🤣|🏆');
const FOREIGN = list(
  'café|naïve|jalapeño|über|straße|déjà vu|señor|ça va|merci|gracias|danke schön|smörgåsbord|' +
    'crème brûlée|São Paulo|Zürich|привет|こんにちは|ありがとう',
);
/** Clean words that naive substring filters trip over. */
const TRICKY = list(
  'Dick Van Dyke|Scunthorpe|cocktail|shiitake|Moby Dick|peacock|cockpit|Hitchcock|assassin|class|' +
    'passage|analysis|Essex|Sussex|therapist|butterscotch|bass',
);
const PROFANE = list('fuck|fucking|shit|bullshit|bitch|asshole|motherfucker|wanker|dickhead|cunt');

const LEET: Readonly<Record<string, string>> = { i: '1', o: '0', e: '3', a: '4' };
const ACCENT: Readonly<Record<string, string>> = { u: 'ü', i: 'ï', o: 'ö', a: 'ä', e: 'ë' };

/** The evasions chat users actually type, one picked per evaded message. */
const EVASIONS: readonly ((word: string) => string)[] = [
  // Fullwidth forms: 'ＦＵＣＫ'.
  (word) => word.toUpperCase().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  // Zero-width space after the first letter: 'f\u200Buck'.
  (word) => `${word[0]}\u200b${word.slice(1)}`,
  // First vowel accented: 'fück'.
  (word) => word.replace(/[uioae]/, (c) => ACCENT[c] ?? c),
  // First leetable letter replaced: 'sh1t'.
  (word) => word.replace(/[ioea]/, (c) => LEET[c] ?? c),
];

export interface CorpusOptions {
  readonly count: number;
  readonly seed: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** Share of messages that carry a profane word. */
  readonly profaneShare: number;
  /**
   * Every message exactly its target length in UTF-16 units (set minLength = maxLength for one length):
   * words are added while they fit, then a number fills the gap. Off, a message can end a few units short
   * of its target, and the corpus stays as it has always been generated for the same seed.
   */
  readonly exactLength?: boolean;
}

/**
 * Lengthens the joined `words` by exactly `gap` units: with a number of `gap - 1` digits (a word and its
 * separator), or, for a gap of one, an exclamation mark on the last word.
 */
function fillGap(words: string[], gap: number, random: () => number): void {
  if (gap <= 0) return;
  const last = words.length - 1;
  if (gap === 1 && last >= 0) {
    words[last] = `${words[last] ?? ''}!`;
    return;
  }
  // With no word yet the joined length starts at -1, so the number itself is `gap - 1` units long.
  const digits = Array.from({ length: gap - 1 }, (_, i) =>
    String(i === 0 ? 1 + Math.floor(random() * 9) : Math.floor(random() * 10)),
  );
  words.push(digits.join(''));
}

export function generateCorpus(options: CorpusOptions): CorpusMessage[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const filler = (): string => {
    const roll = random();
    if (roll < 0.7) return pick(CHAT);
    if (roll < 0.8) return pick(EMOJI);
    if (roll < 0.86) return String(Math.floor(random() * 10_000));
    if (roll < 0.93) return pick(FOREIGN);
    return pick(TRICKY);
  };
  // Half plain (in varied case), half evaded.
  const profaneWord = (): { word: string; kind: 'plain' | 'evaded' } => {
    const word = pick(PROFANE);
    if (random() < 0.5) return { word: random() < 0.3 ? word.toUpperCase() : word, kind: 'plain' };
    // Re-pick when an evasion cannot apply (no vowel to accent or to leet, as in 'cunt').
    for (;;) {
      const evaded = pick(EVASIONS)(word);
      if (evaded !== word) return { word: evaded, kind: 'evaded' };
    }
  };

  const messages: CorpusMessage[] = [];
  for (let i = 0; i < options.count; i++) {
    const target = options.minLength + Math.floor(random() * (options.maxLength - options.minLength + 1));
    const profane = random() < options.profaneShare;
    const insert = profane ? profaneWord() : undefined;
    const budget = target - (insert === undefined ? 0 : insert.word.length + 1);
    const words: string[] = [];
    // The joined length: the first word adds no separator.
    let length = -1;
    // Stop before the budget is exceeded so messages stay inside [minLength, maxLength].
    while (length < options.minLength || length < budget) {
      const word = filler();
      if (length + word.length + 1 > budget && (options.exactLength === true || length >= options.minLength))
        break;
      words.push(word);
      length += word.length + 1;
    }
    if (options.exactLength === true) fillGap(words, budget - length, random);
    if (insert !== undefined) words.splice(Math.floor(random() * (words.length + 1)), 0, insert.word);
    // Through JSON, as chat content reaches the review function: a flat string, like the real input.
    const text: unknown = JSON.parse(JSON.stringify(words.join(' ')));
    messages.push({ text: String(text), kind: insert?.kind ?? 'clean' });
  }
  return messages;
}
