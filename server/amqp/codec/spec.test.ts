import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSpecSource, outPath } from '../../../scripts/generate-amqp';
import { FrameOutput } from './frame-output';
import * as spec from './generated/spec';
import { Reader } from './reader';
import { SeededRandom } from './seeded-random';
import type { Writer } from './writer';

const require = createRequire(import.meta.url);
const specJson = JSON.parse(readFileSync(require.resolve('amqplib/bin/amqp-rabbitmq-0.9.1.json'), 'utf8')) as {
  domains: [string, string][];
  classes: { id: number; name: string; methods: { id: number; name: string; arguments: { name: string; type?: string; domain?: string }[] }[] }[];
};
const domains = new Map(specJson.domains);
const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());
const exported = spec as unknown as Record<string, unknown>;

function randomArg(rnd: SeededRandom, type: string): unknown {
  switch (type) {
    case 'octet':
      return rnd.int(0, 255);
    case 'short':
      return rnd.int(0, 65535);
    case 'long':
      return rnd.int(0, 0xffff_ffff);
    case 'longlong':
    case 'timestamp':
      return rnd.int(0, Number.MAX_SAFE_INTEGER);
    case 'bit':
      return rnd.bool();
    case 'shortstr':
      return rnd.string(255);
    case 'longstr':
      return rnd.bytes(rnd.int(0, 300));
    case 'table':
      return rnd.bool() ? {} : { 'x-match': 'all', n: rnd.int(-5, 5), nested: { ok: true } };
  }
  throw new Error(`no generator for ${type}`);
}

function methodFrame(channel: number, write: (w: Writer, a: never) => void, args: unknown): Buffer {
  const out = new FrameOutput();
  out.method(channel, write, args as never);
  return Buffer.concat(out.take());
}

describe('generated method codecs', () => {
  it('are what the generator makes of the spec (run npm run gen:amqp after changing it)', () => {
    expect(readFileSync(outPath, 'utf8')).toBe(generateSpecSource());
  });

  it('writes connection.tune with the exact bytes of the spec', () => {
    const bytes = methodFrame(0, spec.writeConnectionTune, { channelMax: 2047, frameMax: 131072, heartbeat: 60 });
    const defs = require('amqplib/lib/defs') as { encodeMethod(id: number, channel: number, fields: object): Buffer };
    expect(bytes).toEqual(defs.encodeMethod(spec.CONNECTION_TUNE, 0, { channelMax: 2047, frameMax: 131072, heartbeat: 60 }));
    expect(bytes.toString('hex')).toBe('01' + '0000' + '0000000c' + '000a001e' + '07ff' + '00020000' + '003c' + 'ce');
  });

  it('packs consecutive bits into one octet, first bit lowest', () => {
    const bytes = methodFrame(1, spec.writeQueueDeclare, {
      queue: 'q',
      passive: false,
      durable: true,
      exclusive: false,
      autoDelete: true,
      nowait: true,
      arguments: {},
    });
    // class/method, ticket, "q", bits, empty table
    expect(bytes.subarray(7, -1).toString('hex')).toBe('0032000a' + '0000' + '0171' + '1a' + '00000000');
  });

  it('round-trips every method of the spec with random arguments', () => {
    const rnd = new SeededRandom(42);
    let count = 0;
    for (const cls of specJson.classes) {
      for (const m of cls.methods) {
        const type = pascal(cls.name) + pascal(m.name);
        const write = exported[`write${type}`] as (w: Writer, a: never) => void;
        for (let round = 0; round < 20; round++) {
          const args: Record<string, unknown> = {};
          for (const a of m.arguments) {
            let t = a.type ?? a.domain!;
            while (domains.has(t) && domains.get(t) !== t) t = domains.get(t)!;
            args[camel(a.name)] = randomArg(rnd, t);
          }
          const frame = methodFrame(rnd.int(0, 65535), write, args);
          const decoded = spec.readMethod(new Reader(frame, 7, frame.length - 1));
          expect(decoded.name).toBe(`${cls.name}.${m.name}`);
          expect(decoded.id).toBe((cls.id << 16) | m.id);
          expect(decoded.args).toEqual(args);
        }
        count++;
      }
    }
    expect(count).toBe(Object.keys(spec.METHOD_NAMES).length);
  });

  it('reads a method frame written by amqplib', () => {
    const defs = require('amqplib/lib/defs') as { encodeMethod(id: number, channel: number, fields: object): Buffer };
    const frame = defs.encodeMethod(spec.BASIC_PUBLISH, 3, { exchange: 'logs', routingKey: 'a.b', mandatory: true, immediate: false, ticket: 0 });
    const m = spec.readMethod(new Reader(frame, 7, frame.length - 1));
    expect(m).toEqual({
      id: spec.BASIC_PUBLISH,
      name: 'basic.publish',
      args: { ticket: 0, exchange: 'logs', routingKey: 'a.b', mandatory: true, immediate: false },
    });
  });

  it('answers an unknown method id with 540', () => {
    const bytes = Buffer.from('00ff00ff', 'hex');
    expect(() => spec.readMethod(new Reader(bytes))).toThrow(/NOT_IMPLEMENTED/);
  });
});

describe('basic properties', () => {
  it('encodes flags high bit first', () => {
    const out = new FrameOutput();
    out.content(1, 60, { contentType: 'a', deliveryMode: 2 }, Buffer.alloc(0), 4096);
    const frame = Buffer.concat(out.take());
    // header frame: type 2, channel 1, size; class 60, weight 0, body size 0, flags 0x9000, "a", 2
    expect(frame.toString('hex')).toBe('02' + '0001' + '00000011' + '003c' + '0000' + '0000000000000000' + '9000' + '0161' + '02' + 'ce');
  });

  it('round-trips random property sets', () => {
    const rnd = new SeededRandom(7);
    const keys: (keyof spec.BasicProperties)[] = [
      'contentType',
      'contentEncoding',
      'headers',
      'deliveryMode',
      'priority',
      'correlationId',
      'replyTo',
      'expiration',
      'messageId',
      'timestamp',
      'type',
      'userId',
      'appId',
      'clusterId',
    ];
    for (let i = 0; i < 500; i++) {
      const p: Record<string, unknown> = {};
      for (const k of keys) {
        if (rnd.bool()) continue;
        if (k === 'headers') p[k] = { n: rnd.int(0, 9), s: rnd.string(10) };
        else if (k === 'deliveryMode' || k === 'priority') p[k] = rnd.int(0, 255);
        else if (k === 'timestamp') p[k] = rnd.int(0, 2 ** 40);
        else p[k] = rnd.string(50);
      }
      const out = new FrameOutput();
      out.content(0, 60, p, Buffer.alloc(0), 4096);
      const frame = Buffer.concat(out.take());
      const r = new Reader(frame, 7 + 12, frame.length - 1);
      expect(spec.readBasicProperties(r)).toEqual(p);
      expect(r.remaining).toBe(0);
    }
  });
});
