import { isRecord } from '../guards.js';

/**
 * Reading a parsed YAML document that nobody has validated yet (a policy, the rooms manifest): each reader
 * reports what is wrong at its path and goes on, so a file's problems are all listed at once.
 */

export type DocumentPath = readonly (string | number)[];
export type Report = (path: DocumentPath, message: string) => void;

/** A value as an error message names it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // Total over any value: JSON.stringify throws on a bigint and gives undefined for a function or a symbol.
  if (typeof value === 'bigint') return `${value}`;
  return JSON.stringify(value) ?? typeof value;
}

/** A mapping with only the given keys (each unknown one is reported), or undefined when it is not a mapping. */
export function objectAt(
  value: unknown,
  path: DocumentPath,
  report: Report,
  keys: readonly string[],
): Record<string, unknown> | undefined {
  if (!isRecord(value)) {
    report(path, `must be a mapping (got ${describeValue(value)})`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) report([...path, key], `unknown key; expected one of: ${keys.join(', ')}`);
  }
  return value;
}
