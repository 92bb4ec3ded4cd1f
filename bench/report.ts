import fs from 'node:fs';

/**
 * A markdown table with padded columns, so the same text reads well on a
 * terminal and renders in docs/benchmarks.md. The first column is left-aligned,
 * the rest (numbers) right-aligned.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, c) => Math.max(cell.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, c) => (c === 0 ? (cells[c] ?? '').padEnd(width) : (cells[c] ?? '').padStart(width))).join(' | ')} |`;
  // Spaced delimiter row (`| --- | --: |`): the form biome's markdown formatter keeps, so `npm run lint` passes on the docs.
  const rule = `| ${widths.map((width, c) => (c === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const formatNumber = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const formatShare = (count: number, total: number): string =>
  total === 0 ? 'n/a' : `${formatNumber((100 * count) / total, 1)}% (${count}/${total})`;

const RESULTS_MARKER = '<!-- bench:results (newest first; `npm run bench` inserts runs below this line) -->';

const HEADER = `# Benchmarks

\`npm run bench\` (\`bench/run.ts\`) measures, in one run on one corpus:

- **Matching throughput and latency**: messages per second and p50/p99 per-message latency of our
  engine (\`evaluateMessage\` on \`config/default-policy.yaml\`, and the full \`reviewMessage\` path on an
  IVS-shaped event) next to [obscenity](https://www.npmjs.com/package/obscenity) (\`getAllMatches\`
  with the English dataset and recommended transformers), [bad-words](https://www.npmjs.com/package/bad-words)
  (\`isProfane\`), [leo-profanity](https://www.npmjs.com/package/leo-profanity) (\`check\`) and
  [modern-ahocorasick](https://www.npmjs.com/package/modern-ahocorasick) (\`search\` over the same LDNOOBW list).
  Our engine is loaded as a minified esbuild bundle built with the Lambda settings, and the messages reach it
  through \`JSON.parse\`, as IVS events reach the function. The harness itself is bundled by esbuild and run by
  plain \`node\`, as Lambda runs code: under tsx's module hooks our engine measured about 15% slower (3.65 µs
  against 3.10 µs per message, same process layout, 2026-11-27) while obscenity did not change, which had
  understated the ratio (17× under tsx, 21–22× without).
- **The review bundle**: minified size of \`functions/review-message\` bundled as \`sls package\` does, its
  \`require\` time and the cost of the first handler call, each in fresh \`node\` processes.

The corpus is generated from a fixed seed (\`bench/corpus.ts\`): chat-sized messages of ordinary chat words,
emoji, numbers, words with diacritics and clean words that naive filters trip over (Scunthorpe, cocktail,
Dick Van Dyke), of which about 10% carry a profane word, half of them evaded (fullwidth, zero-width space,
diacritic, leetspeak). Engines are warmed up, then timed call by call with \`process.hrtime.bigint()\` in
interleaved rounds (A, B, C, D, A, B, C, D, ...) so machine noise hits all of them alike; throughput is
messages ÷ summed call time and percentiles are over all per-call samples. Compare the **ratios within a
run**: absolute numbers move with the machine. The flag rates are context (each library has its own
word list and goals), not a quality score.

Targets: our engine's throughput ≥ 20× obscenity's, judged on the median of the per-round ratios (each round of
ours timed right next to a round of obscenity, so noise that comes and goes between rounds cancels out); review
bundle < 250 KB (250 × 1024 bytes) minified.

## Why the engine has its own matcher

\`modern-ahocorasick\` is the maintained multi-pattern matcher on npm, and its row is the reason we do not use
it: on its own, fed lower-cased text, it takes an order of magnitude longer per message than our whole review
(normalization, matching, allow lists, exemptions and masking) because it scans by grapheme cluster, and it has
neither whole-word semantics (hence its clean-message flag rate) nor a map from normalized text back to the
original, both of which we would have to add around it.
Ours (\`shared/rules/term-matcher.ts\`) walks a trie flattened into a transition table, only from where a match
can start: word starts, which normalization lists as it goes, and the few units that begin \`*term\` or
non-word terms; a two-unit filter skips most of those before a walk. Normalization
(\`shared/normalization/normalize.ts\`) reads the message through a typed copy and writes units into a
shared typed buffer: on this machine \`charCodeAt()\` loops, \`Array#push\` and small typed-array allocations
each cost more than all the matching.
`;

/**
 * Rewrites `file` as the header (owned here, so it stays in step with the code), this run, then the
 * earlier runs: those below the results marker, or the whole text of a file without one.
 */
export function prependRun(file: string, section: string): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const at = existing.indexOf(RESULTS_MARKER);
  const previous = (at >= 0 ? existing.slice(at + RESULTS_MARKER.length) : existing).trim();
  fs.writeFileSync(
    file,
    `${HEADER}\n${RESULTS_MARKER}\n\n${section.trim()}\n${previous === '' ? '' : `\n${previous}\n`}`,
  );
}
