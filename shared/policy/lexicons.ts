import naughtyWords from 'naughty-words';
import type { LexiconResolver } from './validate-policy.js';

/**
 * Word lists a policy can reference by `source` and `language`.
 * `naughty-words`: the LDNOOBW lists (CC-BY-4.0), one per language code.
 */
export const resolveLexicon: LexiconResolver = (source, language) => {
  if (source !== 'naughty-words' || !Object.hasOwn(naughtyWords, language)) return undefined;
  const words = naughtyWords[language];
  return Array.isArray(words) && words.every((word) => typeof word === 'string') ? words : undefined;
};
