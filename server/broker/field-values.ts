// Helpers for decoded AMQP field values (what the codec puts in headers and
// arguments): their RabbitMQ type names, integers, text, equality, and a
// canonical string form for identities.

/** RabbitMQ's name for a field's type, as it appears in error texts. */
export function fieldTypeName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'longstr';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'long' : 'double';
    case 'bigint':
      return 'long';
    default:
      if (Buffer.isBuffer(value)) return 'longstr';
      if (value instanceof Date) return 'timestamp';
      return Array.isArray(value) ? 'array' : 'table';
  }
}

/** The integer a field holds, or null when it is not an integer. */
export function integerOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/** The text a field holds (strings, or Buffers as codecs give long strings), or null. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return null;
}

/** Equality of two field values across the codec's representations (string/Buffer, number/bigint). */
export function sameFieldValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const textA = textOf(a);
  const textB = textOf(b);
  if (textA !== null || textB !== null) return textA === textB;
  const intA = integerOf(a);
  const intB = integerOf(b);
  if (intA !== null || intB !== null) return intA === intB;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return stableStringify(a) === stableStringify(b);
}

/** JSON with sorted keys so equal tables give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? 'null');
  }
  if (Buffer.isBuffer(value)) return `b64:${value.toString('base64')}`;
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const table = value as Record<string, unknown>;
  const keys = Object.keys(table).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(table[k])}`).join(',')}}`;
}
