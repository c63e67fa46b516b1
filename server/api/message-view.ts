/**
 * A message as the console shows it: payload in base64 with its size,
 * properties and headers JSON-safe; a byte-string header carries at most its
 * first HEADER_BYTES_SHOWN bytes (and its length).
 */
import type { MessageProperties } from '../broker/types';
import { toJsonSafe, type JsonSafe } from './json-safe';

export const HEADER_BYTES_SHOWN = 4096;

export interface MessageView {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  properties: { [key: string]: JsonSafe };
  sizeBytes: number;
  payloadBase64: string;
}

export function messageView(m: { exchange: string; routingKey: string; redelivered: boolean; properties: MessageProperties; body: Buffer }): MessageView {
  return {
    exchange: m.exchange,
    routingKey: m.routingKey,
    redelivered: m.redelivered,
    properties: toJsonSafe(m.properties, HEADER_BYTES_SHOWN) as { [key: string]: JsonSafe },
    sizeBytes: m.body.length,
    payloadBase64: m.body.toString('base64'),
  };
}
