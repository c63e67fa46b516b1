// Story 12: move in from RabbitMQ. An administrator drops the definitions
// file a RabbitMQ 3.10 exported on the Definitions page, reads what the
// import would do, applies it, finds the queues on the Queues page, and
// downloads Warren's export with them in it. A Warren started with
// WARREN_DEFINITIONS has them from the start; one given a bad file does not start.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { expect, test } from './fixtures';
import { startWarren, stopWarren } from './fixtures';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/rabbitmq-3.10-definitions.json', import.meta.url));
const QUEUES = ['orders.created', 'orders.payments', 'orders.audit', 'orders.urgent', 'orders.copies', 'unrouted.messages'];

test('import a RabbitMQ definitions file: see the report, apply, see the queues, export them back', async ({ page, warren }) => {
  await page.goto('/definitions');
  // Dragged onto the page, as a person would from their file manager.
  const dropped = await page.evaluateHandle(
    (text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'rabbitmq-3.10-definitions.json', { type: 'application/json' }));
      return transfer;
    },
    fs.readFileSync(FIXTURE, 'utf8'),
  );
  await page.getByRole('group', { name: 'Drop a definitions file here' }).dispatchEvent('drop', { dataTransfer: dropped });
  const report = page.getByRole('region', { name: 'Import report' });
  await expect(report.getByRole('status')).toContainText('Preview of rabbitmq-3.10-definitions.json (RabbitMQ 3.10.8)');
  const toCreate = report.getByRole('region', { name: 'Will be created' });
  await expect(toCreate).toContainText("queue 'orders.payments' in vhost 'orders'");
  await expect(report.getByRole('region', { name: 'Skipped' })).toContainText(
    "exchange 'orders.sharded' in vhost 'orders': type 'x-consistent-hash' is a RabbitMQ plugin's",
  );
  await expect(report.getByRole('region', { name: /Already there with other settings/ })).toContainText("user 'guest': the password differs");
  // Nothing is made before Apply.
  await page.goto('/queues');
  await expect(page.getByRole('link', { name: 'orders.payments' })).toHaveCount(0);

  await page.goto('/definitions');
  await page.getByLabel('Definitions file', { exact: true }).setInputFiles(FIXTURE);
  await page.getByRole('button', { name: /^Apply: create \d+$/ }).click();
  await expect(report.getByRole('status')).toContainText('Applied rabbitmq-3.10-definitions.json');
  await expect(report.getByRole('region', { name: 'Created' })).toContainText(
    "binding of queue 'orders.created' to exchange 'orders.events' with routing key 'orders.created.#' in vhost 'orders'",
  );

  await page.getByRole('link', { name: 'Queues', exact: true }).click();
  // Other stories' queues share this broker (2,000 of them): find each imported one by name.
  for (const queue of QUEUES) {
    await page.getByLabel('Filter by name').fill(queue);
    await expect(page.getByRole('link', { name: queue, exact: true })).toBeVisible();
  }

  // The imported users sign in with their RabbitMQ passwords.
  const amqpPort = new URL(warren.amqpUrl).port;
  const conn = await amqp.connect(`amqp://ops:ops-secret@127.0.0.1:${amqpPort}/orders`);
  const ch = await conn.createChannel();
  expect((await ch.checkQueue('orders.payments')).queue).toBe('orders.payments');
  await conn.close();

  await page.goto('/definitions');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download definitions' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('definitions.json');
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as {
    queues: { name: string; vhost: string; type: string }[];
    users: { name: string }[];
  };
  // Other stories' queues share this broker: the imported ones must all be there.
  expect(exported.queues.map((q) => q.name)).toEqual(expect.arrayContaining(QUEUES));
  expect(exported.queues.find((q) => q.name === 'orders.audit')).toMatchObject({ vhost: 'orders', type: 'stream' });
  expect(exported.users.map((u) => u.name)).toEqual(expect.arrayContaining(['app', 'guest', 'ops', 'rules', 'watcher']));
});

test('a Warren started with WARREN_DEFINITIONS has the topology before any client connects', async () => {
  const running = await startWarren({ WARREN_DEFINITIONS: FIXTURE });
  try {
    expect(running.warren.output()).toMatch(
      /definitions: loaded .*rabbitmq-3\.10-definitions\.json: \d+ created, 2 already there, 1 different and kept, 6 skipped/,
    );
    const amqpPort = new URL(running.warren.amqpUrl).port;
    const conn = await amqp.connect(`amqp://app:app-secret@127.0.0.1:${amqpPort}/orders`);
    const ch = await conn.createChannel();
    for (const queue of QUEUES.filter((q) => q.startsWith('orders.'))) await ch.checkQueue(queue);
    await conn.close();
  } finally {
    await stopWarren(running);
  }
});

test('a Warren given a bad definitions file stops with one line naming the setting and the problem', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-defs-'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ users: [{ name: 'old', password_hash: 'x', tags: '' }] }));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: '0', AMQP_PORT: '0', HOST: '127.0.0.1', WARREN_DATA_DIR: dir, WARREN_DEFINITIONS: bad },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  fs.rmSync(dir, { recursive: true, force: true });
  expect(code).toBe(1);
  expect(err.trim()).toMatch(
    /^warren: WARREN_DEFINITIONS \(or --definitions\) ".*bad\.json" was not loaded, nothing in it was applied: user 'old': hashing algorithm 'rabbit_password_hashing_md5' \(assumed, as RabbitMQ does, when "hashing_algorithm" is missing\) is not one Warren can verify/,
  );
  expect(err.trim().split('\n')).toHaveLength(1);
});
