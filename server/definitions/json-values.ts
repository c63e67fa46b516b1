/**
 * Field values as a definitions file holds them: plain JSON, as RabbitMQ
 * writes arguments (64-bit integers as numbers, byte strings as text,
 * timestamps as seconds), and compared regardless of key order.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function plainJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainJson(v);
    return out;
  }
  return String(value);
}

/** JSON with sorted keys, so that equal tables give equal text. */
export function canonicalJson(value: unknown): string {
  const plain = plainJson(value);
  if (plain === null || typeof plain !== 'object') return JSON.stringify(plain);
  if (Array.isArray(plain)) return `[${plain.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(plain)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(plain[k])}`)
    .join(',')}}`;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The keys whose values differ between two tables, e.g. ['x-max-length']. */
export function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !sameJson(a[k], b[k])).sort();
}
