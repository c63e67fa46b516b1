// Story 20: an operator runs Warren as a cluster on PostgreSQL and checks on
// the Nodes page of one node that every node is there, live, with its
// addresses; a node stopped cleanly shows as left.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshPostgresDatabase, postgresUrl } from '../test/db/helpers';
import { expect, signIn, startWarren, stopWarren, test } from './fixtures';

/** A second node without the console (test/cluster/node-process.ts); resolves with its AMQP port once ready. */
function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/node-process.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const ready = /^ready (\d+)$/m.exec(out);
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`node exited with ${code} before it was ready:\n${out}`)));
  });
}

test('the Nodes page lists every node of the cluster, and one that left', async ({ browser }) => {
  test.skip(!postgresUrl, 'needs TEST_DATABASE_URL (export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)")');
  const database = await freshPostgresDatabase(postgresUrl!);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-node-'));
  const cluster = { WARREN_CLUSTER: 'true', DATABASE_URL: database.url };
  const first = await startWarren({ ...cluster, WARREN_NODE_NAME: 's15-n1' });
  try {
    const second = await startNode({ ...cluster, WARREN_NODE_NAME: 's15-n2', WARREN_DATA_DIR: dataDir, HOST: '127.0.0.1', AMQP_PORT: '0', PORT: '0' });
    const page = await browser.newPage({ baseURL: first.warren.consoleUrl });
    await signIn(page, first.warren.consoleUrl);
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Nodes' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Nodes' })).toBeVisible();

    const table = page.getByRole('table', { name: 'Nodes' });
    const one = table.getByRole('row').filter({ hasText: 's15-n1' });
    const two = table.getByRole('row').filter({ hasText: 's15-n2' });
    await expect(one).toContainText('(this node)');
    await expect(one).toContainText('live');
    await expect(one).toContainText(first.warren.amqpUrl.replace('amqp://', ''));
    await expect(two).toContainText('live');
    await expect(two).toContainText(`127.0.0.1:${second.port}`);
    await expect(two).toContainText(/\d+\.\d s ago/);

    const exited = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await exited;
    await expect(two).toContainText('left');
    await page.close();
  } finally {
    await stopWarren(first);
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
