import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import naughtyWords from 'naughty-words';
import { parse } from 'yaml';
import { isRecord } from '../guards.js';
import type { EntrySeverity, LexiconCategory } from './policy-document.js';
import { LEXICON_CATEGORIES } from './policy-document.js';
import type { Lexicon, LexiconResolver } from './validate-policy.js';

/**
 * Word lists a policy can reference by `source` and `language`.
 * `naughty-words`: the LDNOOBW lists (CC-BY-4.0), one per language code. A
 * list is categorized when config/lexicons/<source>-<language>.categories.yaml
 * exists (English is): then a policy can filter it by category level.
 * Loaded when a policy is (at build time, in the CLI), never in the review bundle.
 */
export const resolveLexicon: LexiconResolver = (source, language) => {
  if (source !== 'naughty-words' || !Object.hasOwn(naughtyWords, language)) return undefined;
  const words = naughtyWords[language];
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) return undefined;
  const categories = readCategories(`${source}-${language}.categories.yaml`);
  return categories === undefined ? { words } : { words, categories };
};

type Categories = NonNullable<Lexicon['categories']>;
const cache = new Map<string, Categories | undefined>();

function readCategories(fileName: string): Categories | undefined {
  if (cache.has(fileName)) return cache.get(fileName);
  const directory = lexiconDirectory();
  const file = directory === undefined ? undefined : path.join(directory, fileName);
  const categories = file !== undefined && existsSync(file) ? parseCategories(file) : undefined;
  cache.set(fileName, categories);
  return categories;
}

/** config/lexicons, found upward from here: this module runs from source and from bundles in .bench/. */
function lexiconDirectory(): string | undefined {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'config', 'lexicons');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) return undefined;
  }
}

const SEVERITIES: readonly EntrySeverity[] = [1, 2, 3, 4];

function parseCategories(file: string): Categories {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const document: unknown = parse(readFileSync(file, 'utf8'));
  if (!isRecord(document) || document.version !== 1 || !isRecord(document.categories)) {
    return fail('expected version: 1 and a categories mapping');
  }
  const entries = new Map<string, { category: LexiconCategory; severity: EntrySeverity }>();
  for (const [name, bySeverity] of Object.entries(document.categories)) {
    const category = LEXICON_CATEGORIES.find((known) => known === name);
    if (category === undefined || !isRecord(bySeverity)) return fail(`unknown category "${name}"`);
    for (const [level, words] of Object.entries(bySeverity)) {
      const severity = SEVERITIES.find((known) => String(known) === level);
      if (severity === undefined || !Array.isArray(words)) return fail(`${name}: severity must be 1 to 4`);
      for (const word of words) {
        if (typeof word !== 'string') return fail(`${name}.${level}: entries must be strings`);
        if (entries.has(word)) return fail(`"${word}" is listed twice`);
        entries.set(word, { category, severity });
      }
    }
  }
  return entries;
}
