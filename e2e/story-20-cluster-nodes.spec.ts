// Stories 10, 16 and 20 (cluster): an operator runs Warren as a cluster on PostgreSQL and checks on
// the Nodes page of one node that every node is there, live, with its
// addresses; a node stopped cleanly shows as left.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
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

// Story 16: in a cluster, kill -9 the node that owns `orders`: the console shows
// which node served it, the Nodes page shows that node stale, another node
// serves `orders` within seconds, and every confirmed message is still there.
test('when the owner of a queue dies, another node serves it with every confirmed message', async ({ browser }) => {
  test.skip(!postgresUrl, 'needs TEST_DATABASE_URL (export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)")');
  const database = await freshPostgresDatabase(postgresUrl!);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-node-'));
  const cluster = { WARREN_CLUSTER: 'true', DATABASE_URL: database.url };
  const first = await startWarren({ ...cluster, WARREN_NODE_NAME: 's16-n1' });
  try {
    const owner = await startNode({ ...cluster, WARREN_NODE_NAME: 's16-n2', WARREN_DATA_DIR: dataDir, HOST: '127.0.0.1', AMQP_PORT: '0', PORT: '0' });
    // A client of the second node declares `orders` (so that node owns it) and publishes 50 confirmed messages.
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${owner.port}`);
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    await ch.assertQueue('s16-orders', { durable: true });
    for (let i = 0; i < 50; i++) ch.sendToQueue('s16-orders', Buffer.from(`order ${i}`), { persistent: true });
    await ch.waitForConfirms();

    const page = await browser.newPage({ baseURL: first.warren.consoleUrl });
    await signIn(page, first.warren.consoleUrl);
    await page.goto('/queues?filter=s16-orders');
    const row = page.getByRole('table', { name: 'Queues' }).getByRole('row').filter({ hasText: 's16-orders' });
    await expect(row).toContainText('s16-n2');
    await row.getByRole('link', { name: 's16-orders' }).click();
    const figures = page.getByLabel('Queue figures');
    await expect(figures).toContainText('Served by');
    await expect(figures).toContainText('s16-n2');
    // This node's copy of the queue is empty: the counts shown are the owner's.
    const ready = figures.locator('.figure', { has: page.locator('dt', { hasText: /^Ready$/ }) });
    await expect(ready).toContainText('50');

    owner.child.kill('SIGKILL');
    // The lease runs out within 5 s; the live node takes the queue and loads it from PostgreSQL.
    await expect(figures).toContainText('s16-n1', { timeout: 20_000 });
    await expect(ready).toContainText('50');
    await page.goto('/nodes');
    await expect(page.getByRole('table', { name: 'Nodes' }).getByRole('row').filter({ hasText: 's16-n2' })).toContainText('stale');

    // A client of the live node gets every confirmed message.
    const survivor = await amqp.connect(first.warren.amqpUrl);
    const got = await survivor.createChannel();
    const bodies: string[] = [];
    for (let i = 0; i < 50; i++) {
      const m = await got.get('s16-orders', { noAck: true });
      if (m) bodies.push(m.content.toString());
    }
    expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => `order ${i}`));
    await survivor.close();
    await conn.close().catch(() => {});
    await page.close();
  } finally {
    await stopWarren(first);
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// An administrator moves a queue to another node from its page: the owner hands it over,
// the chosen node serves it with every message.
test('moves a queue to another node from its page', async ({ browser }) => {
  test.skip(!postgresUrl, 'needs TEST_DATABASE_URL (export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)")');
  const database = await freshPostgresDatabase(postgresUrl!);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-node-'));
  const cluster = { WARREN_CLUSTER: 'true', DATABASE_URL: database.url };
  const first = await startWarren({ ...cluster, WARREN_NODE_NAME: 'mv-n1' });
  try {
    const owner = await startNode({ ...cluster, WARREN_NODE_NAME: 'mv-n2', WARREN_DATA_DIR: dataDir, HOST: '127.0.0.1', AMQP_PORT: '0', PORT: '0' });
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${owner.port}`);
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('mv-invoices', { durable: true });
    for (let i = 0; i < 20; i++) ch.sendToQueue('mv-invoices', Buffer.from(`invoice ${i}`), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();

    const page = await browser.newPage({ baseURL: first.warren.consoleUrl });
    await signIn(page, first.warren.consoleUrl);
    await page.goto('/queue?vhost=%2F&name=mv-invoices');
    const figures = page.getByLabel('Queue figures');
    await expect(figures).toContainText('mv-n2');
    const move = page.getByRole('group', { name: 'Move to another node' });
    await move.getByLabel('Move to node').selectOption('mv-n1');
    await move.getByRole('button', { name: 'Move to node…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move mv-invoices to node mv-n1?' });
    await dialog.getByRole('button', { name: 'Move to mv-n1' }).click();
    await expect(move.getByRole('status')).toContainText('Node mv-n1 serves the queue now.', { timeout: 15_000 });
    await expect(figures).toContainText('mv-n1');
    await expect(figures.locator('.figure', { has: page.locator('dt', { hasText: /^Ready$/ }) })).toContainText('20');

    const client = await amqp.connect(first.warren.amqpUrl);
    const got = await client.createChannel();
    const bodies: string[] = [];
    for (let m = await got.get('mv-invoices', { noAck: true }); m; m = await got.get('mv-invoices', { noAck: true })) bodies.push(m.content.toString());
    expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `invoice ${i}`));
    await client.close();
    owner.child.kill('SIGTERM');
    await page.close();
  } finally {
    await stopWarren(first);
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// Story 10 in a cluster: the Connections page of one node lists the clients of every node with
// their node, and closes a client connected to another node.
test("lists and closes from one node's console a client connected to another node", async ({ browser }) => {
  test.skip(!postgresUrl, 'needs TEST_DATABASE_URL (export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)")');
  const database = await freshPostgresDatabase(postgresUrl!);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-node-'));
  const cluster = { WARREN_CLUSTER: 'true', DATABASE_URL: database.url };
  const first = await startWarren({ ...cluster, WARREN_NODE_NAME: 'cn-n1' });
  try {
    const second = await startNode({ ...cluster, WARREN_NODE_NAME: 'cn-n2', WARREN_DATA_DIR: dataDir, HOST: '127.0.0.1', AMQP_PORT: '0', PORT: '0' });
    const worker = await amqp.connect(`amqp://guest:guest@127.0.0.1:${second.port}`, { clientProperties: { connection_name: 'cn-billing-worker' } });
    let closedWith = '';
    worker.on('error', () => {});
    worker.on('close', (err?: Error) => (closedWith = err?.message ?? 'closed'));
    const ch = await worker.createChannel();
    await ch.assertQueue('cn-billing', { durable: false });
    await ch.consume('cn-billing', () => {}, { consumerTag: 'billing-1' });

    const page = await browser.newPage({ baseURL: first.warren.consoleUrl });
    await signIn(page, first.warren.consoleUrl);
    await page.goto('/connections');
    const table = page.getByRole('table', { name: 'Connections' });
    const row = table.getByRole('row').filter({ hasText: 'cn-billing-worker' });
    await expect(table.getByRole('columnheader', { name: 'Node' })).toBeVisible();
    await expect(row.getByRole('cell', { name: 'cn-n2', exact: true })).toBeVisible();
    await expect(row.locator('[data-connection-id]')).toHaveText(/^conn-\d+@cn-n2$/);
    await page.goto('/channels');
    const channel = page.getByRole('table', { name: 'Channels' }).getByRole('row').filter({ hasText: 'cn-billing-worker' });
    await expect(channel.getByRole('cell', { name: 'cn-n2', exact: true })).toBeVisible();
    await expect(channel).toContainText('cn-billing billing-1');

    await page.goto('/connections');
    await row.getByRole('button', { name: /Close connection/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('moving billing');
    await dialog.getByRole('button', { name: 'Close connection' }).click();
    await expect.poll(() => closedWith).toContain('moving billing');
    expect(closedWith).toContain('320');
    await expect(row).toHaveCount(0);
    second.child.kill('SIGTERM');
    await page.close();
  } finally {
    await stopWarren(first);
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
