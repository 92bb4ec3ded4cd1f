import topLevelDomains from 'tlds';

/** A link found in normalized text: its span there and the host it names, lower-case, labels joined by ".". */
export interface FoundLink {
  readonly start: number;
  readonly end: number;
  readonly host: string;
}

/** IANA's root zone (the `tlds` package, updated from IANA): what a bare "word.word" must end with to be a link. */
const TOP_LEVEL_DOMAINS: ReadonlySet<string> = new Set(topLevelDomains);

/**
 * Many top-level domains are also words ("ok.so", "great.now", "it.is"): chat that skips the space after a
 * full stop would read as links. A bare host therefore needs a path, a third label, or one of these endings:
 * the generic domains links are usually on, and country codes that are not also short English words.
 */
const USUAL_GENERIC = new Set(
  'com net org info biz xyz top online site club shop store app dev io gg tv co ly live stream link click'.split(
    ' ',
  ),
);
const WORDLIKE_COUNTRY_CODES = new Set(
  'am an as at be by do go hi id if im in is it me my no of on or so to up us we'.split(' '),
);
/** "the dot com bubble": words that read as prose before a spelled-out dot. */
const PROSE_BEFORE_DOT = new Set('a an the this that my your his her its our their one no'.split(' '));

const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
/** A dot, or (with obfuscation on) a dot written as " . ", "[.]", "(dot)", " dot " and the like. */
const PLAIN_DOT = '\\.';
const DISGUISED_DOT = '(?:\\s*[[({<]\\s*(?:\\.|dot)\\s*[\\])}>]\\s*|\\s+dot\\s+|\\s+\\.\\s*|\\s*\\.\\s+)';

function hostPattern(dot: string): string {
  return `(${LABEL}(?:${dot}${LABEL})+)`;
}

/** Scheme or www. first: those are links whatever their last label. */
const EXPLICIT = new RegExp(`(?:\\b(?:https?|ftp)://|\\bwww${PLAIN_DOT})${hostPattern(PLAIN_DOT)}`, 'gu');
const BARE = new RegExp(`(?<![\\p{L}\\p{N}@.-])${hostPattern(PLAIN_DOT)}(?![\\p{L}\\p{N}-])`, 'gu');
const DISGUISED = new RegExp(
  `(?<![\\p{L}\\p{N}@.-])${hostPattern(`(?:${PLAIN_DOT}|${DISGUISED_DOT})`)}(?![\\p{L}\\p{N}-])`,
  'gu',
);
const ANY_DOT = new RegExp(DISGUISED_DOT.replace('\\s+\\.\\s*|\\s*\\.\\s+', '\\s*\\.\\s*'), 'gu');

/**
 * Links in `text` (normalized: lower-case, invisible characters gone), in
 * order and without overlaps. Written with a scheme or "www." any host counts;
 * a bare host ("example.com", "example dot com") counts when it ends in a
 * top-level domain, and not when it reads like an abbreviation ("a.m.", "p.m.").
 */
export function findLinks(text: string, obfuscated: boolean): FoundLink[] {
  // Nearly every message has no dot at all: skip the regexes.
  if (!text.includes('.') && !(obfuscated && text.includes('dot'))) return [];
  const links: FoundLink[] = [];
  const add = (start: number, end: number, host: string) => {
    if (links.some((link) => start < link.end && link.start < end)) return;
    links.push({ start, end, host });
  };
  for (const match of text.matchAll(EXPLICIT)) {
    const host = match[1] ?? '';
    add(match.index, match.index + match[0].length, host);
  }
  for (const match of text.matchAll(obfuscated ? DISGUISED : BARE)) {
    const written = match[1] ?? '';
    const host = written.replace(ANY_DOT, '.');
    const end = match.index + match[0].length;
    const disguised = written.length !== host.length;
    if (isBareDomain(host, text.charCodeAt(end) === 0x2f, disguised)) add(match.index, end, host);
  }
  return links.sort((a, b) => a.start - b.start);
}

function isBareDomain(host: string, hasPath: boolean, disguised: boolean): boolean {
  const labels = host.split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  const secondLevel = labels[labels.length - 2] ?? '';
  if (!TOP_LEVEL_DOMAINS.has(topLevel)) return false;
  // "a.m", "p.m": one letter before a two-letter country code reads as an abbreviation, not a site.
  if (secondLevel.length === 1 && topLevel.length === 2) return false;
  if (disguised && PROSE_BEFORE_DOT.has(secondLevel)) return false;
  if (hasPath || labels.length >= 3) return true;
  return topLevel.length === 2 ? !WORDLIKE_COUNTRY_CODES.has(topLevel) : USUAL_GENERIC.has(topLevel);
}

/** Whether `host` is one of `domains` or a subdomain of one. */
export function isAllowedHost(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
