import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import { DefinitionsLoadError, loadDefinitionsAtStart } from '../../server/definitions/startup';
import { openMetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';

// WARREN_DEFINITIONS as main.ts uses it: after the durable state is back,
// before clients connect; a restart loads it again and finds it all there.

const FIXTURE = fileURLToPath(new URL('../fixtures/rabbitmq-3.10-definitions.json', import.meta.url));
const SETTING = 'WARREN_DEFINITIONS (or --definitions)';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'warren-defs-start-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** One start of Warren on `dir` up to the point where main.ts loads the definitions; `run` sees it, then it stops. */
async function start<T>(
  run: (s: { broker: Awaited<ReturnType<typeof openDurableBroker>>['broker']; users: Users; version: string }) => Promise<T>,
): Promise<T> {
  const db = await openMetadataDb({ dataDir: dir });
  const access = new AccessControl();
  const users = new Users(db, access);
  await users.load();
  const { broker, store } = await openDurableBroker({ dataDir: dir, db, access });
  try {
    return await run({ broker, users, version: 'test' });
  } finally {
    broker.close();
    await store.close();
    await db.close();
  }
}

describe('definitions loaded at start-up', () => {
  it('are made on the first start and found identical on the next one', async () => {
    const first = await start((s) => loadDefinitionsAtStart(s, FIXTURE, SETTING));
    expect(first).toMatch(new RegExp(`^definitions: loaded ${FIXTURE}: \\d+ created, 2 already there, 1 different and kept, 6 skipped$`));
    const second = await start(async (s) => {
      expect(s.broker.getQueue('orders', 'orders.payments').type).toBe('quorum');
      expect(s.users.get('ops')?.tags).toEqual(['administrator']);
      expect(await s.users.authenticate('ops', 'ops-secret', '127.0.0.1')).toMatchObject({ ok: true });
      return loadDefinitionsAtStart(s, FIXTURE, SETTING);
    });
    expect(second).toMatch(/: 0 created, \d+ already there, 1 different and kept, 6 skipped$/);
  });

  it('stop start-up with one line naming the setting and the problem, applying nothing', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        vhosts: [{ name: 'billing' }],
        policies: [{ vhost: 'billing', name: 'ttl', pattern: '*', 'apply-to': 'queues', definition: { 'message-ttl': 1000 }, priority: 0 }],
        queues: [{ vhost: 'billing', name: 'invoices', durable: 'yes', auto_delete: false, arguments: {} }],
      }),
    );
    await start(async (s) => {
      const error = await loadDefinitionsAtStart(s, bad, SETTING).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DefinitionsLoadError);
      expect((error as Error).message).toBe(
        `${SETTING} "${bad}" was not loaded, nothing in it was applied: queue 'invoices' in vhost 'billing': "durable": expected boolean, received string; correct it in the file`,
      );
      expect((error as Error).message).not.toContain('\n');
      expect(s.broker.hasVhost('billing')).toBe(false);
      writeFileSync(
        bad,
        JSON.stringify({
          vhosts: [{ name: 'billing' }],
          policies: [{ vhost: 'billing', name: 'ttl', pattern: '*', 'apply-to': 'queues', definition: { 'message-ttl': 1000 }, priority: 0 }],
        }),
      );
      await expect(loadDefinitionsAtStart(s, bad, SETTING)).rejects.toThrow(
        /^WARREN_DEFINITIONS \(or --definitions\) ".*" was not loaded, nothing in it was applied: policy 'ttl' in vhost 'billing': pattern '\*' at position 1: '\*' has nothing to repeat; to match '\*' write '\\\*' — correct it in the file$/,
      );
      expect(s.broker.hasVhost('billing')).toBe(false);
      await expect(loadDefinitionsAtStart(s, path.join(dir, 'missing.json'), SETTING)).rejects.toThrow(
        /^cannot read WARREN_DEFINITIONS \(or --definitions\) ".*missing.json": ENOENT/,
      );
    });
  });
});
