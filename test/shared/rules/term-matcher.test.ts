import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalize, normalizeTransient } from '../../../shared/normalization/normalize.js';
import { parseTerm, TermMatcher, TermSyntaxError } from '../../../shared/rules/term-matcher.js';

function matched(
  terms: string[],
  input: string,
  options: { stretchedLetters?: boolean; leetspeak?: boolean } = {},
): string[] {
  const matcher = new TermMatcher(
    terms.map((source) => ({ source, tag: source })),
    options,
  );
  const normalized = normalize(input);
  return matcher.findAll(normalized).map((hit) => `${hit.tag}=${normalized.text.slice(hit.start, hit.end)}`);
}

describe('TermMatcher', () => {
  it('matches whole words only by default', () => {
    expect(matched(['ass', 'cock', 'tit'], 'assessment cocktail title Scunthorpe')).toEqual([]);
    expect(matched(['ass'], 'what an ass!')).toEqual(['ass=ass']);
    expect(matched(['ass'], 'ass')).toEqual(['ass=ass']);
  });

  it('matches a `*` edge inside words and reports the whole word', () => {
    expect(matched(['fuck*'], 'fuckface unfuck')).toEqual(['fuck*=fuckface']);
    expect(matched(['*fuck'], 'fuckface unfuck fuck')).toEqual(['*fuck=unfuck', '*fuck=fuck']);
    expect(matched(['*uck*'], 'a truckload')).toEqual(['*uck*=truckload']);
  });

  it('matches phrases across any run of separators', () => {
    expect(matched(['blow job'], 'a blow \u00A0  job')).toEqual(['blow job=blow job']);
    expect(matched(['blow job'], 'a blow jobs')).toEqual([]);
  });

  it('matches terms that are not words (emoji, punctuation) without word-boundary rules', () => {
    expect(matched(['🖕'], 'x🖕🖕')).toEqual(['🖕=🖕', '🖕=🖕']);
    expect(matched(['s&m'], 'into s&m?')).toEqual(['s&m=s&m']);
  });

  it('matches terms written with accents, case or width as their folded form', () => {
    expect(matched(['FÜCK'], 'fuck')).toEqual(['FÜCK=fuck']);
    expect(matched(['fuck'], 'ＦＵＣＫ')).toEqual(['fuck=fuck']);
  });

  it('reports every term that matches the same span', () => {
    expect(matched(['shit', 'shit*'], 'shit')).toEqual(['shit=shit', 'shit*=shit']);
  });

  it('finds many terms in one pass over a large lexicon', () => {
    const terms = Array.from({ length: 5_000 }, (_, index) => `word${index}`);
    expect(matched(terms, 'say word42 and word4999 not word50000')).toEqual([
      'word42=word42',
      'word4999=word4999',
    ]);
  });

  it('reads Cyrillic, Greek and Armenian lookalikes in words that are partly Latin', () => {
    expect(matched(['fuck', 'cunt', 'shit'], 'fu\u0441k \u0441unt \u0455hiτ')).toEqual([
      'fuck=fu\u0441k',
      'cunt=\u0441unt',
      'shit=\u0455hiτ',
    ]);
  });

  it('reads leetspeak inside words that have letters when asked to; numbers stay numbers', () => {
    const leet = { leetspeak: true };
    expect(
      matched(['shit', 'bitch', 'asshole', 'slut', 'fuck'], 'sh1t b!tch @sshole $lut 4sshole fvck', leet),
    ).toEqual(['shit=sh1t', 'bitch=b!tch', 'asshole=@sshole', 'slut=$lut', 'asshole=4sshole', 'fuck=fvck']);
    expect(matched(['leet', 'bob', 'seal'], '1337 808 5-341 $ 4', leet)).toEqual([]);
    expect(matched(['shit'], 'sh1t')).toEqual([]);
  });

  it('leaves words written wholly in another script alone', () => {
    expect(matched(['cop', 'xyz'], '\u0441\u043e\u0440 \u0445\u0443\u0437 co\u0440')).toEqual([
      'cop=co\u0440',
    ]);
  });

  it('matches terms spelled out letter by letter, without gluing ordinary words', () => {
    expect(matched(['fuck', 'shit'], 'f.u.c.k s-h-i-t f u c k f_u_c_k f. u. c. k')).toEqual([
      'fuck=f.u.c.k',
      'shit=s-h-i-t',
      'fuck=f u c k',
      'fuck=f_u_c_k',
      'fuck=f. u. c. k',
    ]);
    expect(matched(['fuck'], 'fu ck f u ck')).toEqual([]);
    expect(matched(['cat'], 'c a')).toEqual([]);
    expect(matched(['ass'], 'i am a b s')).toEqual([]);
  });

  it('reads a spelled-out run as words: a term must fill one, save letters that stand alone', () => {
    // Punctuation binds a spelled word and a space beside it splits two, so clean words keep their insides.
    expect(matched(['ass', 'cunt'], 'c.l.a.s.s h.e.l.l.o s.c.u.n.t.h.o.r.p.e')).toEqual([]);
    expect(matched(['fuck'], 'a f u c k')).toEqual(['fuck=f u c k']);
    expect(matched(['fuck'], 'f u c k u')).toEqual(['fuck=f u c k']);
    // "fuck" must fill its word; "fuck*" may be followed by more letters (its match ends at its own).
    expect(matched(['fuck', 'fuck*'], 'f u c k e r')).toEqual(['fuck*=f u c k']);
  });

  describe('with stretchedLetters', () => {
    const stretched = { stretchedLetters: true };

    it('follows stretched letters, also where the trie could advance on the repeated letter', () => {
      expect(matched(['fuck'], 'fuuuuck fffuck', stretched)).toEqual(['fuck=fuuuuck', 'fuck=fffuck']);
      expect(matched(['shit'], 'shhhhit', stretched)).toEqual(['shit=shhhhit']);
      expect(matched(['bitch', 'bbw'], 'bbbbitch bbbbbw', stretched)).toEqual([
        'bitch=bbbbitch',
        'bbw=bbbbbw',
      ]);
      expect(matched(['ass'], 'ass assss', stretched)).toEqual(['ass=ass', 'ass=assss']);
      expect(matched(['ass'], 'as', stretched)).toEqual([]);
    });

    it('reads repeated first letters every way a stretch can before it skips a walk', () => {
      // The first three units alone ("ssh", "shh", "sss") lead nowhere; read with a repeat collapsed they do.
      expect(matched(['shit'], 'sshit shhit ssshit sshhit', stretched)).toEqual([
        'shit=sshit',
        'shit=shhit',
        'shit=ssshit',
        'shit=sshhit',
      ]);
      expect(matched(['gook'], 'good goooook', stretched)).toEqual(['gook=goooook']);
      // Each "s" of "ss" starts a walk that finds it (evaluateMessage reports a span once).
      expect(new Set(matched(['*shit'], 'bullsshit bullshhit', stretched))).toEqual(
        new Set(['*shit=bullsshit', '*shit=bullshhit']),
      );
      expect(matched(['shit', '*shit'], 'see class assassin', stretched)).toEqual([]);
    });

    it('does not stretch digits', () => {
      expect(matched(['word500'], 'word50000 word500', stretched)).toEqual(['word500=word500']);
    });

    it('stays linear on a hostile run of one letter', () => {
      const run = `${'b'.repeat(20_000)}itch`;
      expect(matched(['bitch', 'bbw', 'bb'], run, stretched)).toEqual([`bitch=${run}`]);
    });

    it('is off by default', () => {
      expect(matched(['fuck'], 'fuuuuck')).toEqual([]);
    });
  });

  it.each([
    ['*', 'empty once normalized'],
    ['**', 'empty once normalized'],
    ['sh*t', 'only at the start or end'],
    ['\u200B', 'empty once normalized'],
  ])('rejects the term %j', (term, message) => {
    expect(() => parseTerm(term)).toThrow(TermSyntaxError);
    expect(() => parseTerm(term)).toThrow(message);
  });
});

describe('TermMatcher candidate lists', () => {
  const terms = ['fuck*', '*fuck', '*uck*', 'shit', '🖕', 's&m', 'blow job', 'x'];
  const matcher = new TermMatcher(terms.map((source) => ({ source, tag: source })));
  const pieces = fc.constantFrom(
    'fuck',
    'Fück',
    'unfuck',
    'truck',
    'shit',
    ' ',
    '🖕',
    's&m',
    'blow job',
    'x',
    'ß',
    '\u200B',
    'a',
  );

  it('finds the same hits from the watch list as from a scan of every unit', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 15 }), (parts) => {
        const text = parts.join('');
        const watched = normalizeTransient(text, matcher.watch);
        const fromWatch = matcher.findAll(watched).map((hit) => [hit.source, hit.start, hit.end]);
        const scanned = matcher.findAll(normalize(text)).map((hit) => [hit.source, hit.start, hit.end]);
        expect(fromWatch).toEqual(scanned);
      }),
    );
  });
});
