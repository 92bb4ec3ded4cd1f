import fc from 'fast-check';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { LocatedIssue } from '../../shared/config/yaml-document.js';

/**
 * Shared pieces of the fuzz suite (test/fuzz): run settings read from the environment, hostile values, and
 * near-valid mutations of valid documents.
 *
 * - FUZZ_RUNS=<n>: every property runs n times instead of its own default (a nightly run: 2000).
 * - FUZZ_SEED=<n>: the seed; the default is fixed, so `npm test` sees the same inputs every time.
 *   FUZZ_SEED=random draws a new one per property (fast-check prints it with any counterexample).
 * - FUZZ_PATH=<path>: with the seed of a failure, replays exactly its shrunk counterexample.
 */

const DEFAULT_SEED = 0x5eed;

function positiveInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number (got "${raw}")`);
  return value;
}

function seed(): number | undefined {
  const raw = process.env.FUZZ_SEED;
  if (raw === 'random') return undefined;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`FUZZ_SEED must be an integer or "random" (got "${raw}")`);
  return value;
}

/** fast-check parameters for a property whose default is `runs` runs. */
export function fuzzParameters<T>(runs: number): fc.Parameters<T> {
  const chosenSeed = seed();
  const path = process.env.FUZZ_PATH;
  return {
    numRuns: positiveInteger('FUZZ_RUNS') ?? runs,
    ...(chosenSeed === undefined ? {} : { seed: chosenSeed }),
    ...(path === undefined || path === '' ? {} : { path }),
  };
}

/** The keys that reach Object.prototype when assigned rather than defined, and names it already has. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const oneCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const tricky = fc.constantFrom(
  '\u0000',
  '\n',
  '\r\n',
  '\u2028',
  '\uFEFF',
  '\u202E',
  '\u200B',
  'e\u0301',
  '🖕',
  '"',
  '\\',
  '%',
  '/',
  ':',
);

/** Strings as hostile input holds them: any code point, lone surrogates, control and bidi characters. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: oneCodePoint, maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: fc.oneof(oneCodePoint, loneSurrogate, tricky), maxLength: 40 }), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      ...PROTOTYPE_KEYS,
      'NaN',
      'Infinity',
      '-0',
      '1e309',
      '0x1f',
      '  7 ',
      'null',
      'undefined',
      'true',
      '[]',
      '{}',
    ),
    weight: 2,
  },
  { arbitrary: fc.integer().map(String), weight: 1 },
  // Oversized: far past every length limit the parsers enforce, still cheap to build.
  {
    arbitrary: fc
      .tuple(fc.oneof(oneCodePoint, loneSurrogate), fc.integer({ min: 257, max: 2_000 }))
      .map(([unit, count]) => unit.repeat(count)),
    weight: 1,
  },
);

/** Numbers at the edges: NaN, the infinities, -0, unsafe integers, fractions. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_SAFE_INTEGER - 2,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    0.5,
  ),
  fc.integer(),
  fc.double(),
);

/** The deep values, with their JSON text: mutations replace them whole, never copy or walk them. */
const opaque = new WeakMap<object, string>();

function nested(depth: number, lists: boolean): object {
  let value: object = lists ? ['bottom'] : { nested: 'bottom' };
  for (let level = 1; level < depth; level++) value = lists ? [value] : { nested: value };
  // fast-check prints a counterexample recursively too: a symbol key names it instead, unseen by JSON and the parsers.
  const named = Object.defineProperty(value, fc.toStringMethod, {
    value: () => `${lists ? 'lists' : 'mappings'} nested ${depth} deep`,
  });
  const text = lists
    ? `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`
    : `${'{"nested":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
  opaque.set(named, text);
  return named;
}

/**
 * Values nested deep in lists or mappings: JSON.parse reads any depth, recursion (JSON.stringify, a recursive
 * walk) does not. Built once: nothing under test may change its input.
 */
export const deepValue: fc.Arbitrary<unknown> = fc.constantFrom(
  nested(100, true),
  nested(10_000, true),
  nested(10_000, false),
  nested(100_000, true),
);

/** An object with prototype keys as own properties, as JSON.parse makes them. */
export const prototypeKeyed: fc.Arbitrary<unknown> = fc
  .dictionary(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 })
  .map((entries) => JSON.parse(JSON.stringify(entries)));

/** Values as JSON.parse could hand them over: what a Lambda event, a body or a stored item can hold. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber.filter(Number.isFinite),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_KEYS)), tie('value')), {
        maxLength: 5,
      })
      .map(ownEntries),
  ),
})).value;

/** Anything at all: JSON-like garbage plus what JSON cannot hold (undefined, NaN, bigint, null prototypes, Maps). */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileJson, weight: 4 },
  {
    arbitrary: fc.anything({
      maxDepth: 3,
      stringUnit: 'binary',
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withBoxedValues: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
    weight: 2,
  },
  { arbitrary: hostileNumber, weight: 1 },
  { arbitrary: prototypeKeyed, weight: 1 },
  { arbitrary: deepValue, weight: 1 },
);

/** An object built from entries with every key its own property (`__proto__` included), as JSON.parse builds it. */
export function ownEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(object, key, value);
  return object;
}

function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type Path = readonly (string | number)[];

/** Below this depth a document is neither listed nor copied: a deep value inserted by a mutation stays as it is. */
const MAX_MUTATION_DEPTH = 50;

/** Every place in a JSON-like value: the root, each list item, each mapping value. */
function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (path.length >= MAX_MUTATION_DEPTH || isOpaque(value)) return out;
  if (Array.isArray(value)) for (const [index, item] of value.entries()) pathsOf(item, [...path, index], out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  }
  return out;
}

function at(value: unknown, path: Path): unknown {
  let node = value;
  for (const step of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Object.hasOwn(node, step) ? Reflect.get(node, step) : undefined;
  }
  return node;
}

/** One change to one place of a valid document. */
export type Mutation =
  | { readonly op: 'drop'; readonly pick: number }
  | { readonly op: 'replace'; readonly pick: number; readonly value: unknown }
  | { readonly op: 'retype'; readonly pick: number }
  | { readonly op: 'tweak'; readonly pick: number; readonly text: string; readonly number: number }
  | { readonly op: 'oversize'; readonly pick: number; readonly times: number }
  | { readonly op: 'add-key'; readonly pick: number; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('replace' as const),
    pick: fc.nat(),
    value: fc.oneof({ arbitrary: hostileJson, weight: 5 }, { arbitrary: deepValue, weight: 1 }),
  }),
  fc.record({ op: fc.constant('retype' as const), pick: fc.nat() }),
  // Same type, other value: the change most likely to keep a document valid, and so to reach deeper code.
  {
    arbitrary: fc.record({
      op: fc.constant('tweak' as const),
      pick: fc.nat(),
      text: hostileString,
      number: hostileNumber,
    }),
    weight: 4,
  },
  fc.record({
    op: fc.constant('oversize' as const),
    pick: fc.nat(),
    times: fc.integer({ min: 2, max: 300 }),
  }),
  fc.record({
    op: fc.constant('add-key' as const),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString),
    value: hostileJson,
  }),
);

/** The same value as another JSON type: numbers as strings and back, lists as mappings, scalars as lists. */
function retyped(value: unknown): unknown {
  if (typeof value === 'string') {
    const number = Number(value);
    return Number.isFinite(number) ? number : value.length;
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return 'null';
  if (Array.isArray(value)) return ownEntries(value.map((item, index) => [String(index), item]));
  if (typeof value === 'object') return Object.values(value);
  return null;
}

function tweaked(value: unknown, { text, number }: { text: string; number: number }): unknown {
  if (typeof value === 'string') return text;
  if (typeof value === 'number') return Number.isFinite(number) ? number : -value;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...value].reverse();
  return value;
}

function oversized(value: unknown, times: number): unknown {
  if (typeof value === 'string') {
    const unit = value === '' ? 'x' : value;
    return unit.repeat(Math.min(times, Math.ceil(20_000 / unit.length)));
  }
  if (typeof value === 'number') return value * 1e300;
  if (Array.isArray(value)) {
    // Nested lists grow by the product of their counts: lists of lists, or of deep values, grow less.
    const cap = value.some(isOpaque) ? 3 : value.some((item) => typeof item === 'object') ? 20 : 300;
    return Array.from({ length: Math.min(value.length * times, cap) }, (_, i) => value[i % value.length]);
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return ownEntries(
      Array.from({ length: times }, (_, i) => [
        `${entries[i % Math.max(1, entries.length)]?.[0] ?? 'k'}${i}`,
        i,
      ]),
    );
  }
  return Array.from({ length: times }, () => value);
}

/** Applies one mutation to a JSON-like document (copied first); the root itself can be dropped or replaced. */
export function mutate(document: unknown, change: Mutation): unknown {
  const copy: unknown = structuredCloneJson(document);
  const paths = pathsOf(copy);
  const path = paths[change.pick % paths.length] ?? [];
  const current = at(copy, path);
  const replacement = (): unknown => {
    // A deep value is shared by every run: never changed, only moved or replaced.
    if (isOpaque(current) && change.op !== 'drop' && change.op !== 'replace') return [current];
    switch (change.op) {
      case 'drop':
        return undefined;
      case 'replace':
        return change.value;
      case 'retype':
        return retyped(current);
      case 'tweak':
        return tweaked(current, change);
      case 'oversize':
        return oversized(current, change.times);
      case 'add-key': {
        if (typeof current !== 'object' || current === null || Array.isArray(current))
          return ownEntries([[change.key, change.value]]);
        setOwn(current, change.key, change.value);
        return current;
      }
    }
  };
  const value = replacement();
  if (path.length === 0) return value;
  const parent = at(copy, path.slice(0, -1));
  const key = path[path.length - 1];
  if (typeof parent !== 'object' || parent === null || key === undefined) return copy;
  if (change.op === 'drop') {
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else Reflect.deleteProperty(parent, key);
  } else setOwn(parent, key, value);
  return copy;
}

function isOpaque(value: unknown): boolean {
  return typeof value === 'object' && value !== null && opaque.has(value);
}

/**
 * JSON.stringify for the documents this module makes, deep values included (JSON.stringify itself overflows
 * the stack on them); undefined where JSON.stringify gives undefined.
 */
export function jsonText(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const deep = opaque.get(value);
    if (deep !== undefined) return deep;
    if (Array.isArray(value)) return `[${value.map((item) => jsonText(item) ?? 'null').join(',')}]`;
    const members = Object.entries(value).flatMap(([key, item]) => {
      const text = jsonText(item);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A deep copy of a JSON-like value that keeps `__proto__` keys as own properties. */
function structuredCloneJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_MUTATION_DEPTH || isOpaque(value)) return value;
  if (Array.isArray(value)) return value.map((item) => structuredCloneJson(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return ownEntries(
      Object.entries(value).map(([key, item]) => [key, structuredCloneJson(item, depth + 1)]),
    );
  }
  return value;
}

/** Valid documents with one to three fields dropped, replaced, retyped, oversized or joined by a hostile key. */
export function nearValid(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([document, changes]) => changes.reduce<unknown>(mutate, document));
}

/** A configuration file's error lists at least one problem, each placed in `file` and saying what is wrong. */
export function expectLocatedIssues(
  error: { message: string; issues: readonly LocatedIssue[] },
  file: string,
): void {
  expect(error.issues.length).toBeGreaterThan(0);
  expect(error.message.startsWith(`${file}`)).toBe(true);
  for (const issue of error.issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.message).toMatch(/\S/);
    if (issue.line !== undefined) expect(issue.line).toBeGreaterThan(0);
  }
}

/** YAML for a document: block style, or flow (JSON, which YAML reads too) when asked or when the YAML writer fails. */
export function yamlText(document: unknown, flow = false): string {
  if (!flow) {
    try {
      // stringify(undefined) is undefined: a dropped document is an empty file.
      return stringify(document) ?? '';
    } catch {
      // A value nested deep overflows the YAML writer.
    }
  }
  return jsonText(document) ?? '';
}
