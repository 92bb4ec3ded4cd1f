import { readFileSync } from 'node:fs';
import path from 'node:path';
import naughtyWords from 'naughty-words';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isRecord } from '../../../shared/guards.js';
import { resolveLexicon } from '../../../shared/policy/lexicons.js';
import { parsePolicy } from '../../../shared/policy/load-policy-file.js';
import { policyProblems } from '../../helpers/policy-problems.js';
import { REPO_ROOT } from '../../helpers/run-command.js';

const CATEGORIES_FILE = path.join(REPO_ROOT, 'config/lexicons/naughty-words-en.categories.yaml');

const policyWith = (lexicon: string) => `version: 1
name: levels
rules:
  - id: words
    kind: terms
    action: mask
    severity: low
    reason: No.
    lexicons:
      - ${lexicon}
`;
const termsOf = (lexicon: string): readonly string[] => {
  const rule = parsePolicy(policyWith(lexicon), 'levels.yaml').rules[0];
  return rule?.kind === 'terms' ? rule.terms : [];
};
const problemsOf = (lexicon: string): string[] => policyProblems(policyWith(lexicon), 'levels.yaml');

describe('the categorized English lexicon', () => {
  it('gives every entry of the installed naughty-words list exactly one category and severity', () => {
    const lexicon = resolveLexicon('naughty-words', 'en');
    const categorized = [...(lexicon?.categories?.keys() ?? [])];
    expect(new Set(categorized).size).toBe(categorized.length);
    const english: unknown = naughtyWords.en;
    expect([...categorized].sort()).toEqual(Array.isArray(english) ? [...english].sort() : undefined);
  });

  it('keeps each list sorted, so a review of the file reads like a dictionary', () => {
    const document: unknown = parse(readFileSync(CATEGORIES_FILE, 'utf8'));
    const categories = isRecord(document) && isRecord(document.categories) ? document.categories : {};
    const lists = Object.values(categories).flatMap((bySeverity) =>
      isRecord(bySeverity) ? Object.values(bySeverity) : [],
    );
    expect(lists.length).toBeGreaterThan(6);
    for (const words of lists) expect(Array.isArray(words) ? [...words].sort() : undefined).toEqual(words);
  });
});

describe('category levels in a policy', () => {
  const lexicon = resolveLexicon('naughty-words', 'en');
  const entry = (word: string) => lexicon?.categories?.get(word);

  it('filters entries of severity 5 − level and up, per category; an unnamed category is off', () => {
    expect(entry('fuck')).toEqual({ category: 'profanity', severity: 3 });
    expect(entry('ass')).toEqual({ category: 'profanity', severity: 1 });
    const strict = termsOf('{ source: naughty-words, language: en, levels: { profanity: 4 } }');
    expect(strict).toContain('fuck');
    expect(strict).toContain('ass');
    const moderate = termsOf('{ source: naughty-words, language: en, levels: { profanity: 2 } }');
    expect(moderate).toContain('fuck');
    expect(moderate).not.toContain('ass');
    expect(moderate.every((word) => entry(word)?.category === 'profanity')).toBe(true);
    expect(termsOf('{ source: naughty-words, language: en, levels: { profanity: 0 } }')).toEqual([]);
  });

  it('applies exclusions on top of levels', () => {
    const terms = termsOf(
      '{ source: naughty-words, language: en, levels: { profanity: 4 }, exclude: [ass] }',
    );
    expect(terms).toContain('fuck');
    expect(terms).not.toContain('ass');
  });

  it('refuses levels out of range, unknown categories and levels on a lexicon without categories', () => {
    expect(
      problemsOf('{ source: naughty-words, language: en, levels: { profanity: 5, colour: 1 } }'),
    ).toEqual([
      'rules[0].lexicons[0].levels.colour: unknown key; expected one of: slur, sexual, insult, profanity, drugs, violence',
      'rules[0].lexicons[0].levels.profanity: must be a level from 0 (off) to 4 (strictest) (got 5)',
    ]);
    expect(problemsOf('{ source: naughty-words, language: fr, levels: { profanity: 2 } }')).toEqual([
      'rules[0].lexicons[0].levels: lexicon naughty-words fr has no categories, so it cannot be filtered by level; list it without "levels"',
    ]);
  });
});
