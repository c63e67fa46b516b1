// One body of tests run against both StreamStore implementations: memory
// (engine) and files (server/store/stream). File-only behaviour (reopening,
// torn tails) is at the end.

import { appendFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStreamStore } from '../../server/broker/stream/memory-stream-store';
import type { StreamLimits, StreamStore } from '../../server/broker/stream/stream-store';
import { FileStreamStore } from '../../server/store/stream/file-stream-store';
import { flushed, NO_LIMITS, record, tempDir } from './support';

interface Implementation {
  name: string;
  open(limits?: StreamLimits): StreamStore;
}

const implementations: Implementation[] = [
  { name: 'memory', open: (limits = NO_LIMITS) => new MemoryStreamStore(limits) },
  { name: 'file', open: (limits = NO_LIMITS) => new FileStreamStore(join(tempDir(), 's'), limits) },
];

/** Appends `count` records, timestamps start, start+step, ...; waits until they are readable. */
async function fill(store: StreamStore, count: number, start = 1_000_000, step = 10, bodyBytes = 100): Promise<void> {
  for (let i = 0; i < count; i++) store.append(record(store.nextOffset, start + store.nextOffset * step, bodyBytes));
  await flushed(store);
}

describe.each(implementations)('StreamStore ($name)', ({ open }) => {
  it('appends with increasing offsets and reads records back whole', async () => {
    const store = open();
    expect(store.append(record(0, 5))).toBe(0);
    expect(store.append(record(1, 6))).toBe(1);
    await flushed(store);
    const read = store.read(0, 10);
    const a = read[0]!;
    const b = read[1]!;
    expect(a.offset).toBe(0);
    expect(b.offset).toBe(1);
    expect(b.routingKey).toBe('key.1');
    expect(b.exchange).toBe('ex');
    expect(b.properties.messageId).toBe('id-1');
    expect(b.properties.headers).toMatchObject({ n: 1, tag: 'x' });
    expect(b.body.subarray(0, 3).toString()).toBe('m1:');
    expect(b.timestamp).toBe(6);
    store.close();
  });

  it('never lets timestamps go backwards', async () => {
    const store = open();
    store.append(record(0, 100));
    store.append(record(1, 50));
    await flushed(store);
    expect(store.read(0, 2).map((r) => r.timestamp)).toEqual([100, 100]);
    store.close();
  });

  it('reads from the first retained offset when asked for an older one, and nothing past the tail', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 2000, maxBytes: 4000 });
    await fill(store, 100);
    expect(store.applyRetention(Date.now())).toBeGreaterThan(0);
    const first = store.firstOffset;
    expect(first).toBeGreaterThan(0);
    expect(store.read(0, 1)[0]!.offset).toBe(first);
    expect(store.read(100, 5)).toEqual([]);
    expect(store.read(1000, 5)).toEqual([]);
    store.close();
  });

  it('finds the right record for random offsets across segments and index intervals', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 64 * 1024 });
    await fill(store, 3000, 1_000_000, 10, 200);
    expect(store.segmentCount).toBeGreaterThan(5);
    for (let i = 0; i < 300; i++) {
      const offset = Math.floor(Math.random() * 3000);
      const got = store.read(offset, 3);
      expect(got[0]!.offset).toBe(offset);
      expect(got[0]!.routingKey).toBe(`key.${offset}`);
      expect(got.map((r) => r.offset)).toEqual([offset, offset + 1, offset + 2].filter((o) => o < 3000));
    }
    store.close();
  });

  it('finds the first record at or after random timestamps', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 64 * 1024 });
    await fill(store, 3000, 1_000_000, 10, 200);
    for (let i = 0; i < 300; i++) {
      const at = 1_000_000 + Math.floor(Math.random() * 30_000);
      const expected = Math.ceil((at - 1_000_000) / 10);
      expect(store.offsetAt(at)).toBe(expected);
    }
    expect(store.offsetAt(0)).toBe(0);
    expect(store.offsetAt(2_000_000)).toBe(3000);
    store.close();
  });

  it('reads sequentially in batches without gaps or repeats', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 32 * 1024 });
    await fill(store, 2000);
    const seen: number[] = [];
    for (let at = 0; ; ) {
      const batch = store.read(at, 7);
      if (batch.length === 0) break;
      seen.push(...batch.map((r) => r.offset));
      at = batch[batch.length - 1]!.offset + 1;
    }
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    store.close();
  });

  it('drops whole old segments by size and moves the first offset', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 4096, maxBytes: 20_000 });
    await fill(store, 500);
    const before = store.segments();
    expect(before.length).toBeGreaterThan(5);
    const dropped = store.applyRetention(Date.now());
    expect(dropped).toBeGreaterThan(0);
    const after = store.segments();
    expect(after[0]!.firstOffset).toBe(before[dropped]!.firstOffset);
    expect(store.firstOffset).toBe(before[dropped]!.firstOffset);
    expect(store.bytes).toBeLessThanOrEqual(20_000);
    expect(store.bytes).toBe(after.reduce((n, s) => n + s.bytes, 0));
    expect(store.read(0, 1)[0]!.offset).toBe(store.firstOffset);
    store.close();
  });

  it('drops segments older than the maximum age, never the newest', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 4096, maxAgeMs: 1000 });
    await fill(store, 200, 1_000_000, 10);
    const segments = store.segments();
    // Newest record at 1_000_000 + 1990: with now = that + 1000 + 5, segments ending before 1_000_995 go.
    const now = 1_000_000 + 1990 + 1005;
    const expected = segments.slice(0, -1).filter((s) => (s.lastTimestamp as number) < now - 1000).length;
    expect(expected).toBeGreaterThan(0);
    expect(store.applyRetention(now)).toBe(expected);
    expect(store.applyRetention(now + 1_000_000)).toBe(segments.length - 1 - expected);
    expect(store.segmentCount).toBe(1);
    store.close();
  });

  it('counts bytes from an offset to the tail', async () => {
    const store = open({ ...NO_LIMITS, maxSegmentBytes: 16 * 1024 });
    await fill(store, 1000);
    expect(store.bytesFrom(0)).toBe(store.bytes);
    expect(store.bytesFrom(1000)).toBe(0);
    const perRecord = store.bytes / 1000;
    const half = store.bytesFrom(500);
    // Exact for memory; within one index interval (4 KiB) for files.
    expect(Math.abs(half - 500 * perRecord)).toBeLessThanOrEqual(4096 + perRecord);
    store.close();
  });

  it('keeps committed group offsets', async () => {
    const store = open();
    await fill(store, 10);
    store.commitGroupOffset('billing', 4);
    store.commitGroupOffset('audit', 9);
    store.commitGroupOffset('billing', 6);
    expect(Object.fromEntries(store.groupOffsets())).toEqual({ billing: 6, audit: 9 });
    store.close();
  });
});

describe('FileStreamStore on disk', () => {
  const limits: StreamLimits = { ...NO_LIMITS, maxSegmentBytes: 8 * 1024 };

  it('reopens with every flushed record, segment and group offset', async () => {
    const dir = join(tempDir(), 's');
    const store = new FileStreamStore(dir, limits);
    await fill(store, 500);
    store.commitGroupOffset('g', 321);
    store.close();
    const again = new FileStreamStore(dir, limits);
    expect(again.nextOffset).toBe(500);
    expect(again.readableEnd).toBe(500);
    expect(again.segmentCount).toBe(store.segmentCount);
    expect(again.read(250, 1)[0]!.routingKey).toBe('key.250');
    expect(again.offsetAt(1_000_000 + 2500)).toBe(250);
    expect(again.groupOffsets().get('g')).toBe(321);
    expect(again.append(record(500, 2_000_000))).toBe(500);
    await flushed(again);
    expect(again.read(499, 5).map((r) => r.offset)).toEqual([499, 500]);
    again.close();
  });

  it('cuts a torn tail on open and goes on from the last whole record', async () => {
    const dir = join(tempDir(), 's');
    const store = new FileStreamStore(dir, NO_LIMITS);
    await fill(store, 50);
    store.close();
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg')) as string);
    const size = statSync(segment).size;
    truncateSync(segment, size - 30); // the last record loses its end
    appendFileSync(segment, Buffer.from([1, 2, 3]));
    const again = new FileStreamStore(dir, NO_LIMITS);
    expect(again.nextOffset).toBe(49);
    expect(again.read(40, 100).map((r) => r.offset)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48]);
    expect(again.append(record(49, 3_000_000))).toBe(49);
    await flushed(again);
    expect(again.read(48, 5).map((r) => r.routingKey)).toEqual(['key.48', 'key.49']);
    again.close();
  });

  it('rebuilds a missing index file', async () => {
    const dir = join(tempDir(), 's');
    const store = new FileStreamStore(dir, limits);
    await fill(store, 400);
    store.close();
    const index = readdirSync(dir).filter((f) => f.endsWith('.idx'))[1]!;
    truncateSync(join(dir, index), 5);
    const again = new FileStreamStore(dir, limits);
    for (const offset of [0, 77, 150, 233, 399]) expect(again.read(offset, 1)[0]!.routingKey).toBe(`key.${offset}`);
    again.close();
  });

  it('confirms only after the sync, and reads see only synced records', async () => {
    const store = new FileStreamStore(join(tempDir(), 's'), NO_LIMITS);
    store.append(record(0, 1));
    expect(store.readableEnd).toBe(0);
    expect(store.read(0, 1)).toEqual([]);
    await flushed(store);
    expect(store.readableEnd).toBe(1);
    expect(store.read(0, 1)).toHaveLength(1);
    store.close();
  });
});
