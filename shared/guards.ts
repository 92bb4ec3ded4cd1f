/** A JSON-style object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose every value is a string: IVS's attribute maps. */
export function isStringMap(value: unknown): value is Record<string, string> {
  if (!isRecord(value)) return false;
  // Own enumerable string keys, as Object.values reads them, without the array it makes: every chat log
  // record has two of these maps, mostly empty.
  for (const key in value) {
    if (Object.hasOwn(value, key) && typeof value[key] !== 'string') return false;
  }
  return true;
}
