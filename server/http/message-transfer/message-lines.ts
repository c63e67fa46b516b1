/**
 * Messages as JSON lines, one object a line, as exports write them and
 * imports read them:
 *
 *   {"exchange":"orders","routingKey":"eu.new","redelivered":false,
 *    "properties":{"contentType":"application/json","deliveryMode":2,"timestamp":1767225600},
 *    "headers":{"tenant":"acme","raw":{"$bytes":"AAEC"},"big":{"$long":"9007199254740993"},"at":{"$time":1767225600000}},
 *    "body":"{\"id\":42}","encoding":"utf8"}
 *
 * The body is UTF-8 text (`"encoding":"utf8"`) when it is valid UTF-8, else
 * base64 (`"encoding":"base64"`). Header values keep their AMQP types in the
 * metadata database's tagged form (store/field-table-json.ts). On import
 * only `body` is required; `encoding` defaults to utf8.
 */
import type { TransferMessage } from '../../broker/broker';
import type { MessageProperties } from '../../broker/types';
import { shortStringProblem } from '../../broker/short-string';
import { fieldValueFromJson, fieldValueToJson, type Json } from '../../store/field-table-json';

const STRING_PROPERTIES = [
  'contentType',
  'contentEncoding',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'type',
  'userId',
  'appId',
  'clusterId',
] as const;
const NUMBER_PROPERTIES = { deliveryMode: [1, 2], priority: [0, 255], timestamp: [0, Number.MAX_SAFE_INTEGER] } as const;
const KNOWN_FIELDS = new Set(['exchange', 'routingKey', 'redelivered', 'properties', 'headers', 'body', 'encoding']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(body: Buffer): boolean {
  try {
    utf8.decode(body);
    return true;
  } catch {
    return false;
  }
}

/** One message as one JSON line, newline included. */
export function messageLine(m: TransferMessage): string {
  const { headers, ...properties } = m.properties;
  const text = isUtf8(m.body);
  return `${JSON.stringify({
    exchange: m.exchange,
    routingKey: m.routingKey,
    redelivered: m.redelivered,
    properties,
    headers: fieldValueToJson(headers ?? {}),
    body: m.body.toString(text ? 'utf8' : 'base64'),
    encoding: text ? 'utf8' : 'base64',
  })}\n`;
}

/** A line that is not a message: what is wrong with it, said so a person can fix the file. */
export class BadLine extends Error {}

function object(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function shortText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new BadLine(`${what} must be a string`);
  const problem = shortStringProblem(value);
  if (problem !== null) throw new BadLine(`${what} ${problem}`);
  return value;
}

function propertiesOf(value: unknown): MessageProperties {
  if (value === undefined) return {};
  if (!object(value)) throw new BadLine('"properties" must be an object, e.g. {"contentType":"application/json"}');
  const out: MessageProperties = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if ((STRING_PROPERTIES as readonly string[]).includes(key)) {
      out[key as (typeof STRING_PROPERTIES)[number]] = shortText(v, `property "${key}"`);
    } else if (key in NUMBER_PROPERTIES) {
      const [low, high] = NUMBER_PROPERTIES[key as keyof typeof NUMBER_PROPERTIES];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < low || v > high)
        throw new BadLine(`property "${key}" must be an integer from ${low} to ${high}`);
      out[key as keyof typeof NUMBER_PROPERTIES] = v;
    } else if (key === 'headers') {
      throw new BadLine('headers go in "headers", beside "properties"');
    } else {
      throw new BadLine(`unknown property "${key}" (known: ${[...STRING_PROPERTIES, ...Object.keys(NUMBER_PROPERTIES)].join(', ')})`);
    }
  }
  return out;
}

/** The message a line holds; BadLine saying what is wrong otherwise. `defaults` fill what the line leaves out. */
export function parseMessageLine(line: string, defaults: { exchange: string; routingKey: string }): TransferMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new BadLine(`not JSON (${(error as Error).message})`);
  }
  if (!object(value)) throw new BadLine('not a JSON object: each line is one message, e.g. {"body":"hello"}');
  const unknown = Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) throw new BadLine(`unknown field "${unknown[0]}" (known: ${[...KNOWN_FIELDS].join(', ')})`);
  if (typeof value.body !== 'string') throw new BadLine('"body" is missing or not a string');
  const encoding = value.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'base64') throw new BadLine(`"encoding" must be "utf8" or "base64", not ${JSON.stringify(encoding)}`);
  if (encoding === 'base64' && (value.body.length % 4 !== 0 || !BASE64.test(value.body))) throw new BadLine('"body" is not valid base64');
  if (value.redelivered !== undefined && typeof value.redelivered !== 'boolean') throw new BadLine('"redelivered" must be true or false');
  if (value.headers !== undefined && !object(value.headers)) throw new BadLine('"headers" must be an object, e.g. {"tenant":"acme"}');
  const properties = propertiesOf(value.properties);
  if (value.headers !== undefined && Object.keys(value.headers).length > 0) {
    for (const name of Object.keys(value.headers)) shortText(name, 'a header name');
    properties.headers = fieldValueFromJson(value.headers as Json) as Record<string, unknown>;
  }
  return {
    exchange: value.exchange === undefined ? defaults.exchange : shortText(value.exchange, '"exchange"'),
    routingKey: value.routingKey === undefined ? defaults.routingKey : shortText(value.routingKey, '"routingKey"'),
    properties,
    body: Buffer.from(value.body, encoding),
    redelivered: value.redelivered === true,
  };
}
