import { describe, expect, it } from 'vitest';
import { CodecError, FieldValueError } from './errors';
import { FrameOutput } from './frame-output';
import { FrameParser } from './frame-parser';
import { PROTOCOL_HEADER, readBasicProperties, readMethod, writeBasicDeliver } from './generated/spec';
import { Reader } from './reader';
import { SeededRandom } from './seeded-random';

interface Seen {
  type: number;
  channel: number;
  payload: string;
}

function collect(frameMax = 131072) {
  const seen: Seen[] = [];
  const headers: Buffer[] = [];
  const parser = new FrameParser(
    {
      protocolHeader: (h) => headers.push(h),
      frame: (type, channel, payload) => seen.push({ type, channel, payload: payload.toString('hex') }),
    },
    frameMax,
  );
  return { parser, seen, headers };
}

/** A random stream: protocol header, then random method/content/heartbeat frames. */
function randomStream(rnd: SeededRandom, frameMax: number): Buffer {
  const out = new FrameOutput();
  out.raw(PROTOCOL_HEADER);
  for (let i = rnd.int(1, 30); i > 0; i--) {
    const channel = rnd.int(0, 65535);
    switch (rnd.int(0, 2)) {
      case 0:
        out.heartbeat();
        break;
      case 1:
        out.method(channel, writeBasicDeliver, {
          consumerTag: rnd.string(30),
          deliveryTag: rnd.int(1, 1e9),
          redelivered: rnd.bool(),
          exchange: rnd.string(20),
          routingKey: rnd.string(60),
        });
        break;
      default:
        out.content(channel, 60, { messageId: rnd.string(20) }, rnd.bytes(rnd.pick([0, 1, 100, 5000, 20000])), frameMax);
    }
  }
  return Buffer.concat(out.take());
}

/** Splits bytes at random points, sometimes one byte at a time. */
function randomChunks(rnd: SeededRandom, bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const n = rnd.pick([1, 2, 7, 8, rnd.int(1, 100), rnd.int(1, 30000)]);
    chunks.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return chunks;
}

describe('FrameParser', () => {
  it('yields the same frames however the stream is chunked', () => {
    const rnd = new SeededRandom(1234);
    for (let round = 0; round < 100; round++) {
      const frameMax = rnd.pick([4096, 8192, 131072]);
      const stream = randomStream(rnd, frameMax);
      const whole = collect(frameMax);
      whole.parser.push(stream);
      const split = collect(frameMax);
      for (const chunk of randomChunks(rnd, stream)) split.parser.push(chunk);
      expect(split.headers).toEqual([PROTOCOL_HEADER]);
      expect(split.seen).toEqual(whole.seen);
      expect(whole.seen.length).toBeGreaterThan(0);
    }
  });

  it('hands out no frame while held, keeps the input, and goes on in order at release', () => {
    const rnd = new SeededRandom(99);
    let holdsChecked = 0;
    for (let round = 0; round < 50; round++) {
      const stream = randomStream(rnd, 131072);
      const whole = collect();
      whole.parser.push(stream);
      // Holds after some frames (as a reply waiting for the disk does) and releases between chunks.
      const seen: Seen[] = [];
      let heldAt = -1;
      const parser: FrameParser = new FrameParser(
        {
          protocolHeader: () => {},
          frame: (type, channel, payload) => {
            seen.push({ type, channel, payload: payload.toString('hex') });
            if (rnd.int(0, 3) === 0) {
              parser.hold();
              heldAt = seen.length;
            }
          },
        },
        131072,
      );
      for (const chunk of randomChunks(rnd, stream)) {
        parser.push(chunk);
        if (heldAt !== -1) {
          expect(seen.length).toBe(heldAt);
          holdsChecked++;
          heldAt = -1;
          parser.release();
        }
      }
      while (heldAt !== -1) {
        heldAt = -1;
        parser.release();
      }
      expect(seen).toEqual(whole.seen);
    }
    expect(holdsChecked).toBeGreaterThan(50); // the held path was taken, not only the plain one
  });

  it('decodes a method frame and a content header it emitted', () => {
    const out = new FrameOutput();
    out.method(5, writeBasicDeliver, { consumerTag: 'ctag', deliveryTag: 9, redelivered: true, exchange: 'x', routingKey: 'rk' });
    out.content(5, 60, { contentType: 'text/plain' }, Buffer.from('hello'), 4096);
    const { parser, seen } = collect();
    parser.push(Buffer.concat([PROTOCOL_HEADER, ...out.take()]));
    expect(seen.map((f) => [f.type, f.channel])).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
    ]);
    const payloads = seen.map((f) => Buffer.from(f.payload, 'hex'));
    const m = readMethod(new Reader(payloads[0]));
    expect(m.name).toBe('basic.deliver');
    const header = new Reader(payloads[1]!, 12, payloads[1]!.length);
    expect(readBasicProperties(header)).toEqual({ contentType: 'text/plain' });
    expect(payloads[2]!.toString()).toBe('hello');
  });

  it('splits bodies into frames no larger than frameMax', () => {
    const out = new FrameOutput();
    out.content(1, 60, {}, Buffer.alloc(10_000, 1), 4096);
    const { parser, seen } = collect(4096);
    parser.push(Buffer.concat([PROTOCOL_HEADER, ...out.take()]));
    expect(seen.slice(1).map((f) => f.payload.length / 2)).toEqual([4088, 4088, 1824]);
  });

  it('refuses an oversized frame and a bad frame-end with 501', () => {
    const big = collect(4096);
    big.parser.push(PROTOCOL_HEADER);
    expect(() => big.parser.push(Buffer.from([1, 0, 1, 0, 0, 0x10, 0]))).toThrow(/FRAME_ERROR/);
    const badEnd = collect();
    badEnd.parser.push(PROTOCOL_HEADER);
    expect(() => badEnd.parser.push(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xcd]))).toThrow(/FRAME_ERROR/);
    expect(badEnd.parser.stopped).toBe(true);
    const unknownType = collect();
    expect(() => unknownType.parser.push(Buffer.concat([PROTOCOL_HEADER, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0xce])]))).toThrow(CodecError);
  });

  it('survives 5,000 random and mutated streams with only codec errors', () => {
    const rnd = new SeededRandom(99);
    let errors = 0;
    for (let round = 0; round < 5_000; round++) {
      let stream: Buffer;
      if (rnd.int(0, 3) === 0) {
        stream = Buffer.concat([PROTOCOL_HEADER, rnd.bytes(rnd.int(0, 200))]);
      } else {
        stream = Buffer.from(randomStream(rnd, 4096).subarray(0, 3000));
        for (let flips = rnd.int(1, 4); flips > 0; flips--) stream[rnd.int(8, stream.length - 1)] = rnd.int(0, 255);
      }
      const parser = new FrameParser(
        {
          protocolHeader: () => {},
          // Decode what arrives, as the connection does, to fuzz the method decoders too.
          frame: (type, _channel, payload) => {
            if (type === 1) readMethod(new Reader(payload));
            if (type === 2) readBasicProperties(new Reader(payload, Math.min(12, payload.length), payload.length));
          },
        },
        4096,
      );
      try {
        for (const chunk of randomChunks(rnd, stream)) parser.push(chunk);
      } catch (err) {
        // CodecError for framing; FieldValueError for a short string that is not UTF-8.
        expect(err instanceof CodecError || err instanceof FieldValueError).toBe(true);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });
});
