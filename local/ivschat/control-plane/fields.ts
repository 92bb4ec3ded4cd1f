import { isRecord } from '../../../shared/guards';
import { type ValidationField, validationError } from './errors';

/**
 * Reads a request body member by member against the service model's constraints
 * (IVS Chat contracts §4.2), collecting every problem so one
 * ValidationException names all of them in its fieldList, as IVS does.
 */

export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

export interface ListRule {
  readonly maxItems: number;
  readonly item: StringRule;
}

export interface MapRule {
  readonly maxEntries?: number;
  readonly key?: StringRule;
  readonly value?: StringRule;
  /** Keys and values together, in UTF-8 bytes (the "1 KB total" of chat token and event attributes). */
  readonly maxTotalBytes?: number;
}

export class FieldReader {
  private constructor(
    private readonly input: Readonly<Record<string, unknown>>,
    private readonly problems: ValidationField[],
    private readonly prefix: string,
  ) {}

  static of(input: Readonly<Record<string, unknown>>): FieldReader {
    return new FieldReader(input, [], '');
  }

  /** Throws the ValidationException for everything found so far. */
  check(): void {
    if (this.problems.length > 0) throw validationError(this.problems);
  }

  has(name: string): boolean {
    return this.value(name) !== undefined;
  }

  /**
   * A required string. Returns '' when it is missing or invalid: the problem is recorded and
   * check() throws before the value can be used.
   */
  requiredString(name: string, rule: StringRule = {}): string {
    if (!this.has(name)) {
      this.fail(name, 'Member must not be null');
      return '';
    }
    return this.string(name, rule) ?? '';
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(name, 'Member must be a string');
    const problem = stringProblem(value, rule);
    return problem === undefined ? value : this.fail(name, problem);
  }

  integer(name: string, range: { readonly min: number; readonly max: number }): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.fail(name, 'Member must be an integer');
    if (value < range.min)
      return this.fail(name, `Member must have value greater than or equal to ${range.min}`);
    if (value > range.max)
      return this.fail(name, `Member must have value less than or equal to ${range.max}`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    const match = allowed.find((candidate) => candidate === value);
    return match ?? this.fail(name, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  stringList(name: string, rule: ListRule): string[] | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(name, 'Member must be a list of strings');
    if (value.length > rule.maxItems) {
      return this.fail(name, `Member must have length less than or equal to ${rule.maxItems}`);
    }
    const items: string[] = [];
    value.forEach((item: unknown, index) => {
      const problem = typeof item === 'string' ? stringProblem(item, rule.item) : 'Member must be a string';
      if (problem !== undefined) this.fail(`${name}[${index}]`, problem);
      else if (typeof item === 'string') items.push(item);
    });
    return items.length === value.length ? items : undefined;
  }

  stringMap(name: string, rule: MapRule): Record<string, string> | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!isRecord(value)) return this.fail(name, 'Member must be a map of strings to strings');
    const entries = Object.entries(value);
    if (rule.maxEntries !== undefined && entries.length > rule.maxEntries) {
      return this.fail(name, `Member must have at most ${rule.maxEntries} entries`);
    }
    // Collected as entries: assigning a `__proto__` key to an object literal would drop it silently.
    const accepted: [string, string][] = [];
    let bytes = 0;
    let valid = true;
    for (const [key, entry] of entries) {
      const keyProblem = stringProblem(key, rule.key ?? {});
      const valueProblem =
        typeof entry === 'string' ? stringProblem(entry, rule.value ?? {}) : 'must be a string';
      if (keyProblem !== undefined) this.fail(`${name}.${key}`, `key: ${keyProblem}`);
      if (valueProblem !== undefined) this.fail(`${name}.${key}`, `value: ${valueProblem}`);
      if (keyProblem !== undefined || valueProblem !== undefined || typeof entry !== 'string') {
        valid = false;
        continue;
      }
      accepted.push([key, entry]);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(entry);
    }
    if (rule.maxTotalBytes !== undefined && bytes > rule.maxTotalBytes) {
      return this.fail(
        name,
        `Member must total at most ${rule.maxTotalBytes} bytes (keys and values, UTF-8)`,
      );
    }
    return valid ? Object.fromEntries(accepted) : undefined;
  }

  /** A nested structure, read with the same problem list and dotted member names. */
  object(name: string): FieldReader | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!isRecord(value)) return this.fail(name, 'Member must be a structure');
    return new FieldReader(value, this.problems, `${this.path(name)}.`);
  }

  /** Members present in this structure, for unions that need exactly one. */
  presentMembers(names: readonly string[]): string[] {
    return names.filter((name) => this.has(name));
  }

  fail(name: string, message: string): undefined {
    this.problems.push({ name: this.path(name), message });
    return undefined;
  }

  private path(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** JSON null counts as absent, as for an unset member. */
  private value(name: string): unknown {
    const value = Object.hasOwn(this.input, name) ? this.input[name] : undefined;
    return value === null ? undefined : value;
  }
}

/** What is wrong with a string under a rule; lengths count code points, as Smithy's length trait does. */
export function stringProblem(value: string, rule: StringRule): string | undefined {
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min) {
    return `Member must have length greater than or equal to ${rule.min}`;
  }
  if (rule.max !== undefined && length > rule.max)
    return `Member must have length less than or equal to ${rule.max}`;
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    return `Member must satisfy regular expression pattern: ${rule.pattern.source}`;
  }
  return undefined;
}
