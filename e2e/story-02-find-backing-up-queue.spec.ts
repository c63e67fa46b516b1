// Story 2: with 2,000 queues, one of them growing, find it by sorting and
// filtering, open it, and read its live depth, rates, consumers, bindings and arguments.
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

test('find the queue that is backing up among 2,000', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story2');
  const ch = await conn.createChannel();
  for (let i = 0; i < 2000; i++) await ch.assertQueue(`s2-idle-${String(i).padStart(4, '0')}`, { durable: false });
  await ch.assertQueue('s2-orders', { durable: true, arguments: { 'x-message-ttl': 600_000, 'x-max-length': 100_000 } });
  await ch.assertExchange('s2-shop', 'topic');
  await ch.bindQueue('s2-orders', 's2-shop', 'order.*');
  // A slow consumer with prefetch 5 that never acks, and a publisher that keeps going.
  const consumerConn = await connect(warren.amqpUrl, 'story2-consumer');
  const cch = await consumerConn.createChannel();
  await cch.prefetch(5);
  await cch.consume('s2-orders', () => {}, { noAck: false });
  const timer = setInterval(() => ch.publish('s2-shop', 'order.created', Buffer.from('{"id":1}')), 10);

  try {
    await page.goto('/queues');
    await expect(page.getByRole('status').filter({ hasText: /queues$/ })).toHaveText(/2,00[1-9] queues/);

    // Sort by ready, largest first: the growing queue comes to the top.
    await page.getByRole('columnheader', { name: 'Ready' }).getByRole('button').click();
    await expect(page).toHaveURL(/sort=ready/);
    await expect(page).toHaveURL(/dir=desc/);
    const firstRow = page.getByRole('table', { name: 'Queues' }).getByRole('row').nth(1);
    await expect(firstRow.getByRole('cell').first()).toHaveText('s2-orders');
    // Its only consumer is out of credit while the backlog grows: the state says so.
    await expect(firstRow).toContainText('consumers saturated');

    // Filter by name; the state lives in the URL and survives a reload.
    await page.getByLabel('Filter by name').fill('s2-orders');
    await expect(page).toHaveURL(/filter=s2-orders/);
    await page.reload();
    await expect(page.getByLabel('Filter by name')).toHaveValue('s2-orders');
    await expect(page.getByRole('status').filter({ hasText: /queues?$/ })).toHaveText('1 queue');
    await page.getByLabel('Regex').check();
    await page.getByLabel('Filter by name').fill('^s2-idle-000[0-4]$');
    await expect(page.getByRole('status').filter({ hasText: /queues?$/ })).toHaveText('5 queues');
    await page.getByLabel('Filter by name').fill('[');
    await expect(page.getByRole('alert').filter({ hasText: 'queue filter' })).toContainText(
      "queue filter '[' at position 1: the class opened here is not closed",
    );
    await page.getByLabel('Filter by name').fill('s2-ord');

    await page.getByRole('link', { name: 's2-orders' }).click();
    await expect(page.getByRole('heading', { name: 'Queue s2-orders' })).toBeVisible();
    const ready = figure(page, 'Ready');
    const before = Number((await ready.textContent())!.replace(/,/g, ''));
    await expect.poll(async () => Number((await ready.textContent())!.replace(/,/g, ''))).toBeGreaterThan(before);
    await expect(figure(page, 'Unacked')).toHaveText('5');
    await expect(figure(page, 'State')).toHaveText('consumers saturated');

    const depth = page.getByRole('figure', { name: 'Depth' });
    await expect.poll(async () => Number(await depth.getAttribute('data-points'))).toBeGreaterThan(2);
    await expect(page.getByRole('figure', { name: 'Rates' }).locator('[data-series="incoming"]')).not.toHaveText('0');

    const consumers = page.getByRole('table', { name: 'Consumers' });
    await expect(consumers.getByRole('row')).toHaveCount(2);
    await expect(consumers.getByRole('row').nth(1)).toContainText('5 / 5 unacked');
    await expect(consumers.getByRole('row').nth(1)).toContainText('manual');

    const bindings = page.getByRole('table', { name: 'Bindings' });
    await expect(bindings).toContainText('s2-shop');
    await expect(bindings).toContainText('order.*');
    await expect(page.getByRole('table', { name: 'Arguments' })).toContainText('x-message-ttl');
    await expect(page.getByRole('table', { name: 'Arguments' })).toContainText('600000');
    await page.screenshot({ path: 'e2e/screenshots/queue.png', fullPage: true });
  } finally {
    clearInterval(timer);
    await consumerConn.close();
    await conn.close();
  }
});
