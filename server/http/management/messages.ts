/** Messages in RabbitMQ's JSON: properties in snake_case, payloads as text or base64. */
import type { MessageProperties } from '../../broker/types';
import { toJsonSafe } from '../../api/json-safe';
import { badRequest } from './errors';

const PROPERTY_NAMES: [keyof MessageProperties, string][] = [
  ['contentType', 'content_type'],
  ['contentEncoding', 'content_encoding'],
  ['headers', 'headers'],
  ['deliveryMode', 'delivery_mode'],
  ['priority', 'priority'],
  ['correlationId', 'correlation_id'],
  ['replyTo', 'reply_to'],
  ['expiration', 'expiration'],
  ['messageId', 'message_id'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['userId', 'user_id'],
  ['appId', 'app_id'],
  ['clusterId', 'cluster_id'],
];
const NUMERIC = new Set(['delivery_mode', 'priority', 'timestamp']);

export function propertiesJson(properties: MessageProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ours, theirs] of PROPERTY_NAMES) if (properties[ours] !== undefined) out[theirs] = toJsonSafe(properties[ours]);
  return out;
}

/** The properties of a message published through the API; unknown names are refused with the known ones. */
export function propertiesFromJson(json: Record<string, unknown>): MessageProperties {
  const byName = new Map(PROPERTY_NAMES.map(([ours, theirs]) => [theirs, ours]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const ours = byName.get(key);
    if (ours === undefined) throw badRequest(`Unknown message property '${key}': properties are ${PROPERTY_NAMES.map(([, t]) => t).join(', ')}.`);
    if (key === 'headers') {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw badRequest('headers must be a JSON object, e.g. {"headers": {"x-trace": "on"}}.');
      out.headers = value;
    } else if (NUMERIC.has(key)) {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw badRequest(`Message property ${key} must be a whole number, not ${JSON.stringify(value)}.`);
      out[ours] = n;
    } else {
      out[ours] = String(value);
    }
  }
  return out as MessageProperties;
}

/** A payload given as payload_encoding "string" (UTF-8) or "base64". */
export function payloadFromJson(payload: unknown, encoding: unknown): Buffer {
  if (typeof payload !== 'string') throw badRequest('Give the message as payload (text), e.g. {"payload": "hello", "payload_encoding": "string"}.');
  if (encoding === undefined || encoding === 'string') return Buffer.from(payload, 'utf8');
  if (encoding === 'base64') return Buffer.from(payload, 'base64');
  throw badRequest(`payload_encoding must be "string" or "base64", not ${JSON.stringify(encoding)}.`);
}

/** A payload as "auto" encoding gives it: text when it is valid UTF-8, else base64; cut to `truncate` bytes when given. */
export function payloadJson(
  body: Buffer,
  encoding: 'auto' | 'base64',
  truncate: number | undefined,
): { payload: string; payload_encoding: 'string' | 'base64' } {
  const shown = truncate === undefined ? body : body.subarray(0, truncate);
  if (encoding === 'auto') {
    const textForm = shown.toString('utf8');
    if (Buffer.from(textForm, 'utf8').equals(shown)) return { payload: textForm, payload_encoding: 'string' };
  }
  return { payload: shown.toString('base64'), payload_encoding: 'base64' };
}
