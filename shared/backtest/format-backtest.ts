import type { RuleChange, Verdict } from './compare-verdicts.js';
import { RULE_CHANGES, VERDICTS } from './compare-verdicts.js';
import type { BacktestReport } from './run-backtest.js';

/** The policies compared, as the report names them. */
export interface PolicyNames {
  readonly baseline: { readonly file: string; readonly name: string };
  readonly candidate: { readonly file: string; readonly name: string };
}

const CHANGE_WORDS: Readonly<Record<RuleChange, string>> = {
  'newly-denies': 'newly denies',
  'newly-masks': 'newly masks',
  'no-longer-denies': 'no longer denies',
  'no-longer-masks': 'no longer masks',
  'denies-instead-of-masking': 'denies instead of masking',
  'masks-instead-of-denying': 'masks instead of denying',
};

const NEWLY: readonly RuleChange[] = ['newly-denies', 'newly-masks'];
const NO_LONGER: readonly RuleChange[] = ['no-longer-denies', 'no-longer-masks'];
const SWITCHED: readonly RuleChange[] = ['denies-instead-of-masking', 'masks-instead-of-denying'];

const count = (value: number) => value.toLocaleString('en-US');

/** Rows of cells, each column as wide as its widest cell; numbers right-aligned, text left. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, [...cell].length);
    });
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, column) => {
          const width = widths[column] ?? 0;
          return /^[\d,.%]+$/.test(cell) ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
  );
}

export function formatBacktest(report: BacktestReport, names: PolicyNames): string {
  const { objects, comparison } = report;
  const lines: string[] = [
    `baseline:  ${names.baseline.file} (policy "${names.baseline.name}")`,
    `candidate: ${names.candidate.file} (policy "${names.candidate.name}")`,
    `archive:   ${report.archive}: ${count(objects.listed)} objects, ${count(objects.read)} read, ${count(objects.failed)} failed${objects.ignored > 0 ? `, ${count(objects.ignored)} processing-failed ignored` : ''}`,
    '',
  ];

  const roomRows = Object.entries(report.rooms).map(([room, messages]) => [`room ${room}`, count(messages)]);
  lines.push(`messages replayed: ${count(comparison.messages)}`, ...table(roomRows));
  if (report.maskedContent > 0)
    lines.push(
      `  (${count(report.maskedContent)} of them logged already masked: their original text is gone)`,
    );
  const skippedRows = Object.entries(report.skipped).map(([reason, messages]) => [reason, count(messages)]);
  if (report.events > 0) skippedRows.push(['events (not messages)', count(report.events)]);
  if (skippedRows.length > 0) lines.push('not replayed:', ...table(skippedRows));
  if (report.invalid.count > 0) {
    lines.push(`invalid lines: ${count(report.invalid.count)}`);
    for (const { reason, count: times, places } of report.invalid.reasons) {
      const more = times > places.length ? `, … ${count(times - places.length)} more` : '';
      lines.push(`  ${reason} (${count(times)}): ${places.join(', ')}${more}`);
    }
  }
  if (objects.failed > 0) {
    lines.push(`objects that could not be read: ${count(objects.failed)}`);
    for (const { key, afterLine, reason } of objects.failures)
      lines.push(`  ${key}${afterLine > 0 ? ` (after line ${afterLine})` : ''}: ${reason}`);
    if (objects.failed > objects.failures.length)
      lines.push(`  … ${count(objects.failed - objects.failures.length)} more`);
  }

  const percent =
    comparison.messages === 0 ? '' : ` (${((100 * comparison.changed) / comparison.messages).toFixed(1)}%)`;
  lines.push(
    '',
    `verdicts, baseline (rows) → candidate (columns): ${count(comparison.changed)} changed${percent}`,
    ...table([
      ['', ...VERDICTS],
      ...VERDICTS.map((before: Verdict) => [
        before,
        ...VERDICTS.map((after) => count(comparison.transitions[before][after])),
      ]),
    ]),
  );

  if (comparison.rules.length === 0) {
    lines.push('', 'no rule acts differently on any message');
    return `${lines.join('\n')}\n`;
  }
  const sum = (changes: (typeof comparison.rules)[number]['changes'], which: readonly RuleChange[]) =>
    count(which.reduce((total, change) => total + (changes[change]?.count ?? 0), 0));
  lines.push(
    '',
    'rules:',
    ...table([
      ['rule', 'newly acts on', 'no longer acts on', 'action changed on'],
      ...comparison.rules.map(({ ruleId, changes }) => [
        ruleId,
        sum(changes, NEWLY),
        sum(changes, NO_LONGER),
        sum(changes, SWITCHED),
      ]),
    ]),
  );

  lines.push('', 'examples:');
  for (const { ruleId, changes } of comparison.rules) {
    for (const change of RULE_CHANGES) {
      const bucket = changes[change];
      if (bucket === undefined) continue;
      lines.push(
        `  ${ruleId} ${CHANGE_WORDS[change]} ${count(bucket.count)} message${bucket.count === 1 ? '' : 's'}${bucket.examples.length < bucket.count ? ` (${bucket.examples.length} shown)` : ''}:`,
      );
      for (const example of bucket.examples) {
        lines.push(
          `    ${example.sendTime}  room ${example.roomId}  message ${example.messageId}  ${example.before} → ${example.after}`,
          `      ${JSON.stringify(example.text)}  (matched ${JSON.stringify(example.matched)})`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
