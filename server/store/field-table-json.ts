// Field tables (queue, exchange and binding arguments) as JSON text for the
// metadata database, keeping the AMQP types plain JSON would lose: a bigint
// becomes {"$long":"<digits>"}, a byte string {"$bytes":"<base64>"}, a
// timestamp {"$time":<epoch ms>}. Everything else is ordinary JSON. Keys are
// sorted, so equal tables give equal text (part of a binding's unique key).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function encodeFieldTable(table: Record<string, unknown>): string {
  return JSON.stringify(fieldValueToJson(table));
}

export function decodeFieldTable(text: string): Record<string, unknown> {
  const value = fieldValueFromJson(JSON.parse(text) as Json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** One field value in that JSON form (also how exported messages carry their headers). */
export function fieldValueToJson(value: unknown): Json {
  if (typeof value === 'bigint') return { $long: value.toString() };
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('base64') };
  if (value instanceof Date) return { $time: value.getTime() };
  if (Array.isArray(value)) return value.map(fieldValueToJson);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    const table = value as Record<string, unknown>;
    for (const key of Object.keys(table).sort()) if (table[key] !== undefined) out[key] = fieldValueToJson(table[key]);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return null;
}

/** A field value back from that JSON form. */
export function fieldValueFromJson(value: Json): unknown {
  if (Array.isArray(value)) return value.map(fieldValueFromJson);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (only !== undefined && entries.length === 1) {
    const [key, inner] = only;
    if (key === '$long' && typeof inner === 'string') return BigInt(inner);
    if (key === '$bytes' && typeof inner === 'string') return Buffer.from(inner, 'base64');
    if (key === '$time' && typeof inner === 'number') return new Date(inner);
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of entries) out[key] = fieldValueFromJson(inner);
  return out;
}
