/**
 * AMQP field values as JSON the console can show and send back: bytes,
 * 64-bit integers and timestamps get a tagged form, since JSON has none of them.
 */
export type JsonSafe = string | number | boolean | null | JsonSafe[] | { [key: string]: JsonSafe };

/**
 * `maxBytes` bounds what a byte string carries: a longer one sends its first
 * `maxBytes` bytes, and `$length` says how long it is.
 */
export function toJsonSafe(value: unknown, maxBytes = Infinity): JsonSafe {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return { $long: value.toString() };
  if (value instanceof Date) return { $timestamp: value.toISOString() };
  if (Buffer.isBuffer(value)) {
    if (value.length <= maxBytes) return { $bytes: value.toString('base64') };
    return { $bytes: value.subarray(0, maxBytes).toString('base64'), $length: value.length };
  }
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, maxBytes));
  if (typeof value === 'object') {
    const out: { [key: string]: JsonSafe } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v, maxBytes);
    return out;
  }
  return String(value);
}
