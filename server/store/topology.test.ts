// The topology store against a real SQLite metadata database: changes queued
// together are written together, in order, and one change the database
// refuses is logged and skipped without losing the others of its batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueDefinition } from '../broker/store';
import { openMetadataDb, type MetadataDb } from './db';
import { TopologyStore } from './topology';

let db: MetadataDb | undefined;
let dir: string | undefined;

afterEach(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = dir = undefined;
});

async function openStore(lines: string[]): Promise<TopologyStore> {
  dir = mkdtempSync(join(tmpdir(), 'warren-topology-'));
  db = await openMetadataDb({ dataDir: dir });
  return new TopologyStore(db.prisma, (line) => lines.push(line));
}

function queue(name: string): QueueDefinition {
  return { vhost: '/', name, type: 'classic', durable: true, exclusive: false, autoDelete: false, arguments: {} };
}

describe('topology store', () => {
  it('writes a burst of changes in order, a delete after its declare', async () => {
    const store = await openStore([]);
    for (let i = 0; i < 1200; i++) store.queueDeclared(queue(`q${i}`));
    for (let i = 0; i < 1200; i += 2) store.queueDeleted('/', `q${i}`);
    store.bindingAdded({ vhost: '/', source: 'amq.direct', destination: 'q1', destinationType: 'queue', routingKey: 'k', arguments: {} });
    await store.drain();
    const stored = await new TopologyStore(db!.prisma, () => {}).load();
    expect(stored.queues.map((q) => q.name)).toEqual(Array.from({ length: 600 }, (_, i) => `q${2 * i + 1}`));
    expect(stored.bindings).toMatchObject([{ source: 'amq.direct', destination: 'q1', routingKey: 'k' }]);
  });

  it('logs and skips a change the database refuses, and writes the rest of its batch', async () => {
    const lines: string[] = [];
    const store = await openStore(lines);
    store.vhostCreated('/');
    await store.drain();
    await db!.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_bad BEFORE INSERT ON Queue WHEN NEW.name = 'bad' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`,
    );
    for (const name of ['before', 'bad', 'after']) store.queueDeclared(queue(name));
    let written = false;
    store.whenWritten(() => (written = true));
    await store.drain();
    expect(written).toBe(true);
    const stored = await new TopologyStore(db!.prisma, () => {}).load();
    expect(stored.queues.map((q) => q.name)).toEqual(['before', 'after']);
    expect(lines).toEqual([expect.stringMatching(/^metadata database: could not record queue 'bad': /)]);
  });
});
