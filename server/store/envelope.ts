// A message's envelope as both message stores write it: the exchange and the
// routing key as short strings, then the basic properties as an AMQP content
// header encodes them, behind a 4-byte length. The journal's MESSAGE record
// (journal/record-codec.ts) and a stream record (stream/segment-format.ts)
// each put their own framing, ids and body around it.
//
// Reading: exchange names, routing keys and property lists repeat from
// record to record, so an EnvelopeDecoder decodes each distinct one once and
// shares it (decode-cache.ts); the engine never changes a message's fields.

import { readBasicProperties, writeBasicProperties } from '../amqp/codec/generated/spec';
import type { Reader } from '../amqp/codec/reader';
import type { Writer } from '../amqp/codec/writer';
import type { MessageProperties } from '../broker/types';
import { DecodeCache } from './journal/decode-cache';

/** Throws (a RangeError from the writer) when a string is not a short string; the caller drops the record. */
export function writeEnvelope(w: Writer, exchange: string, routingKey: string, properties: MessageProperties): void {
  w.shortstr(exchange);
  w.shortstr(routingKey);
  const propertiesLength = w.mark();
  w.long(0);
  // The engine's field tables and properties are the codec's (pinned by test/contracts/cross-layer-types.test.ts).
  writeBasicProperties(w, properties);
  w.patchLong(propertiesLength, w.mark() - propertiesLength - 4);
}

export class EnvelopeDecoder {
  private readonly strings = new DecodeCache<string>();
  private readonly properties = new DecodeCache<MessageProperties>();

  /** A short string at r.pos (an exchange, a routing key, a queue name). Bytes were written by this process's encoder, so are UTF-8. */
  shortstr(r: Reader): string {
    const length = r.octet();
    r.need(length);
    const start = r.pos;
    const end = (r.pos += length);
    let value = this.strings.lookup(r.buf, start, end);
    if (value === undefined) {
      value = r.buf.toString('utf8', start, end);
      this.strings.store(r.buf, start, end, value);
    }
    return value;
  }

  /** The length-prefixed property list at r.pos; throws when it does not fill its length exactly. */
  messageProperties(r: Reader): MessageProperties {
    const length = r.long();
    r.need(length);
    const start = r.pos;
    const end = start + length;
    let value = this.properties.lookup(r.buf, start, end);
    if (value === undefined) {
      const recordEnd = r.end;
      r.end = end;
      value = readBasicProperties(r);
      if (r.pos !== end) throw new RangeError('property list shorter than its length');
      r.end = recordEnd;
      this.properties.store(r.buf, start, end, value);
    }
    r.pos = end;
    return value;
  }
}
