import type { NormalizedText } from '../normalization/normalize.js';
import { normalizeText } from '../normalization/normalize.js';

/**
 * A term as written in a policy: a word or phrase, optionally with `*` at
 * either edge. Without a wildcard a term matches whole words only, so
 * "Scunthorpe" and "cocktail" are not matched by shorter listed words.
 */
export interface TermPattern<Tag> {
  readonly source: string;
  readonly tag: Tag;
}

interface CompiledTerm<Tag> {
  readonly source: string;
  readonly tag: Tag;
  /** `*word`: the match may start inside a word. */
  readonly openStart: boolean;
  /** `word*`: the match may end inside a word. */
  readonly openEnd: boolean;
  readonly startsWithWord: boolean;
  readonly endsWithWord: boolean;
}

export interface TermHit<Tag> {
  readonly source: string;
  readonly tag: Tag;
  /** Half-open span in the normalized text. */
  readonly start: number;
  readonly end: number;
}

interface TrieNode<Tag> {
  readonly children: Map<number, TrieNode<Tag>>;
  terms: CompiledTerm<Tag>[] | undefined;
}

export class TermSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(message);
    this.name = 'TermSyntaxError';
  }
}

const WORD = /^[\p{L}\p{N}\p{M}]$/u;

/** Parses and normalizes one term; throws TermSyntaxError when it can never match sensibly. */
export function parseTerm(source: string): { body: string; openStart: boolean; openEnd: boolean } {
  const openStart = source.startsWith('*');
  const openEnd = source.length > 1 && source.endsWith('*');
  const inner = source.slice(openStart ? 1 : 0, openEnd ? -1 : undefined);
  if (inner.includes('*'))
    throw new TermSyntaxError('"*" is allowed only at the start or end of a term', source);
  const body = normalizeText(inner).trim();
  if (body === '') throw new TermSyntaxError('the term is empty once normalized', source);
  return { body, openStart, openEnd };
}

/**
 * Multi-pattern matcher over normalized text: one trie of all terms, walked
 * from each candidate start position. Cost per message is bounded by
 * text length × longest term, whatever the number of terms; whole-word terms
 * are only tried where a word starts.
 */
export class TermMatcher<Tag> {
  private readonly wordStartRoot: TrieNode<Tag> = newNode();
  private readonly anywhereRoot: TrieNode<Tag> = newNode();
  private readonly hasAnywhereTerms: boolean;

  constructor(patterns: readonly TermPattern<Tag>[]) {
    let anywhere = false;
    for (const { source, tag } of patterns) {
      const { body, openStart, openEnd } = parseTerm(source);
      const first = String.fromCodePoint(body.codePointAt(0) ?? 0);
      const lastCodePoint = body.codePointAt(body.length - 1) ?? 0;
      const last = String.fromCodePoint(
        lastCodePoint >= 0xdc00 && lastCodePoint <= 0xdfff
          ? (body.codePointAt(body.length - 2) ?? 0)
          : lastCodePoint,
      );
      const term: CompiledTerm<Tag> = {
        source,
        tag,
        openStart,
        openEnd,
        startsWithWord: WORD.test(first),
        endsWithWord: WORD.test(last),
      };
      const fromWordStart = term.startsWithWord && !openStart;
      if (!fromWordStart) anywhere = true;
      insert(fromWordStart ? this.wordStartRoot : this.anywhereRoot, body, term);
    }
    this.hasAnywhereTerms = anywhere;
  }

  /** Every occurrence of every term, in order of start position. Never throws. */
  findAll(normalized: NormalizedText): TermHit<Tag>[] {
    const { text, isWord } = normalized;
    const hits: TermHit<Tag>[] = [];
    const length = text.length;
    for (let start = 0; start < length; start++) {
      if (isWord[start] === 1 && (start === 0 || isWord[start - 1] === 0)) {
        walk(this.wordStartRoot, normalized, start, hits);
      }
      if (this.hasAnywhereTerms) walk(this.anywhereRoot, normalized, start, hits);
    }
    return hits;
  }
}

function newNode<Tag>(): TrieNode<Tag> {
  return { children: new Map(), terms: undefined };
}

function insert<Tag>(root: TrieNode<Tag>, body: string, term: CompiledTerm<Tag>): void {
  let node = root;
  for (let index = 0; index < body.length; index++) {
    const code = body.charCodeAt(index);
    let child = node.children.get(code);
    if (child === undefined) {
      child = newNode();
      node.children.set(code, child);
    }
    node = child;
  }
  node.terms ??= [];
  node.terms.push(term);
}

function walk<Tag>(
  root: TrieNode<Tag>,
  normalized: NormalizedText,
  start: number,
  hits: TermHit<Tag>[],
): void {
  const { text, isWord } = normalized;
  const length = text.length;
  // A term that starts with a letter but is not `*`-open must start at a word boundary.
  const afterWord = start > 0 && isWord[start - 1] === 1;
  let node: TrieNode<Tag> | undefined = root;
  for (let index = start; index < length; index++) {
    node = node.children.get(text.charCodeAt(index));
    if (node === undefined) return;
    if (node.terms === undefined) continue;
    const end = index + 1;
    const beforeWord = end < length && isWord[end] === 1;
    for (const term of node.terms) {
      if (afterWord && term.startsWithWord && !term.openStart) continue;
      if (beforeWord && term.endsWithWord && !term.openEnd) continue;
      // An open edge covers the rest of its word: `fuck*` reports "fuckface", not "fuck".
      hits.push({
        source: term.source,
        tag: term.tag,
        start: term.openStart ? wordStart(isWord, start) : start,
        end: term.openEnd ? wordEnd(isWord, end) : end,
      });
    }
  }
}

function wordStart(isWord: Uint8Array, index: number): number {
  let start = index;
  while (start > 0 && isWord[start - 1] === 1) start--;
  return start;
}

function wordEnd(isWord: Uint8Array, index: number): number {
  let end = index;
  while (end < isWord.length && isWord[end] === 1) end++;
  return end;
}
