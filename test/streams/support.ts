// Helpers shared by the stream tests: temp directories removed after each
// test, records to append, and a promise around flush().

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { NewStreamRecord, StreamLimits, StreamStore } from '../../server/broker/stream/stream-store';

const tempDirs: string[] = [];

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export function tempDir(prefix = 'warren-streams-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export const NO_LIMITS: StreamLimits = { maxAgeMs: null, maxBytes: null, maxSegmentBytes: 64 * 1024 * 1024 };

export function record(i: number, timestamp: number, bodyBytes = 100): NewStreamRecord {
  const body = Buffer.alloc(bodyBytes, i % 251);
  body.write(`m${i}:`);
  return {
    timestamp,
    exchange: 'ex',
    routingKey: `key.${i}`,
    properties: { deliveryMode: 2, headers: { n: i, tag: 'x' }, messageId: `id-${i}` },
    body,
  };
}

export function flushed(store: StreamStore): Promise<void> {
  return new Promise((resolve, reject) => store.flush((error) => (error ? reject(error) : resolve())));
}
