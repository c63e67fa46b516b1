// Story 17: the on-call engineer opens a backing-up queue and sees why: its
// consumer's prefetch is full ("10 / 10 unacked"), which client that is and
// from where, and a state that says so in words; the charts already show the
// last minutes. From there to the connection, its channels, and every channel.
import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

/** The local port of an amqplib connection: the peer port the broker sees. */
const localPort = (conn: ChannelModel) => (conn as unknown as { connection: { stream: Socket } }).connection.stream.localPort;

test('the queue page says why it backs up, and the connection shows its channels', async ({ page, warren }) => {
  test.setTimeout(90_000);
  const worker = await connect(warren.amqpUrl, 's17-billing-worker');
  const port = localPort(worker);
  // Channel 1: a consumer with prefetch 10 that never acks. Channel 2: a publisher in confirm mode that keeps going.
  const consuming = await worker.createChannel();
  await consuming.assertQueue('s17-invoices', { durable: false });
  await consuming.assertQueue('s17-orphans', { durable: false });
  await consuming.prefetch(10);
  await consuming.consume('s17-invoices', () => {}, { noAck: false, consumerTag: 's17-worker-1' });
  const publishing = await worker.createConfirmChannel();
  for (let i = 0; i < 5; i++) publishing.sendToQueue('s17-orphans', Buffer.from(`orphan ${i}`));
  const timer = setInterval(() => publishing.sendToQueue('s17-invoices', Buffer.from('{"invoice":1}')), 50);

  try {
    // Let the broker gather some history before anyone looks (a point every 5 s).
    await new Promise((r) => setTimeout(r, 12_000));
    const visitedAt = Date.now();
    await page.goto('/queue?vhost=%2F&name=s17-invoices');
    await expect(page.getByRole('heading', { name: 'Queue s17-invoices' })).toBeVisible();

    // The charts start from the server's history, from before this visit.
    const depth = page.getByRole('figure', { name: 'Depth' });
    await expect.poll(async () => Number(await depth.getAttribute('data-from')), { timeout: 3_000 }).toBeLessThan(visitedAt - 4_000);
    await expect.poll(async () => Number(await depth.getAttribute('data-points')), { timeout: 3_000 }).toBeGreaterThan(2);

    // Why: the consumer's prefetch is full and messages wait.
    const state = figure(page, 'State');
    await expect(state).toHaveText('consumers saturated');
    await expect(state.locator('[data-state]')).toHaveAttribute('title', /every consumer has its prefetch full/);
    await expect(page.getByLabel('What the queue is doing')).toContainText('they take a new message only when they acknowledge one');
    await expect(figure(page, 'Oldest ready')).toHaveText(/^\d+s$/);
    const consumer = page.getByRole('table', { name: 'Consumers' }).getByRole('row').filter({ hasText: 's17-worker-1' });
    await expect(consumer).toContainText('10 / 10 unacked');
    await expect(consumer).toContainText('s17-billing-worker');
    await expect(consumer).toContainText(`127.0.0.1:${port}`);
    await expect(page.getByText('utilisation', { exact: false })).toHaveCount(0);
    await page.screenshot({ path: 'e2e/screenshots/queue-why.png', fullPage: true });

    // A queue with a backlog and no consumer says so.
    await page.goto('/queue?vhost=%2F&name=s17-orphans');
    await expect(figure(page, 'State')).toHaveText('no consumers');
    await page.goto('/queues?filter=s17-');
    const queues = page.getByRole('table', { name: 'Queues' });
    await expect(queues.getByRole('row').filter({ hasText: 's17-invoices' })).toContainText('consumers saturated');
    await expect(queues.getByRole('row').filter({ hasText: 's17-orphans' })).toContainText('no consumers');

    // From the consumer to its connection, opened to its channels.
    await page.goto('/queue?vhost=%2F&name=s17-invoices');
    await page.getByRole('table', { name: 'Consumers' }).getByRole('link', { name: 's17-billing-worker' }).click();
    await expect(page).toHaveURL(/\/connections\?open=/);
    const row = page.getByRole('table', { name: 'Connections' }).getByRole('row').filter({ hasText: 's17-billing-worker' }).first();
    await expect(row).toContainText(`127.0.0.1:${port}`);
    const channels = page.getByRole('table', { name: 'Channels of s17-billing-worker' });
    await expect(channels).toBeVisible();
    const first = channels.locator('tr[data-channel="1"]');
    const second = channels.locator('tr[data-channel="2"]');
    // Channel, prefetch, unacked, confirm mode, transactional, publish/s, deliver/s, consumes.
    await expect(first.getByRole('cell').nth(0)).toHaveText('10');
    await expect(first.getByRole('cell').nth(1)).toHaveText('10');
    await expect(first.getByRole('cell').nth(2)).toHaveText('off');
    await expect(first).toContainText('s17-invoices');
    await expect(first).toContainText('s17-worker-1 · 10 / 10 unacked');
    await expect(second.getByRole('cell').nth(2)).toHaveText('on');
    await expect(second.getByRole('cell').nth(3)).toHaveText('no');
    await expect.poll(async () => Number(await second.getByRole('cell').nth(4).textContent())).toBeGreaterThan(5);
    await expect(first.getByRole('link', { name: 's17-invoices' })).toHaveAttribute('href', '/queue?vhost=%2F&name=s17-invoices');
    await page.screenshot({ path: 'e2e/screenshots/connection-channels.png', fullPage: true });

    // The row folds back; its Close button is on screen at 1280 px without scrolling sideways.
    await page.setViewportSize({ width: 1280, height: 800 });
    const expander = row.getByRole('button', { name: /s17-billing-worker/ }).first();
    await expect(expander).toHaveAttribute('aria-expanded', 'true');
    await expander.click();
    await expect(channels).toHaveCount(0);
    const scroller = page.getByRole('table', { name: 'Connections' });
    expect(await scroller.evaluate((el) => el.scrollLeft)).toBe(0);
    const close = row.getByRole('button', { name: 'Close connection s17-billing-worker' });
    await expect(close).toBeInViewport({ ratio: 1 });
    const box = (await close.boundingBox())!;
    const frame = (await scroller.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width);
    await page.screenshot({ path: 'e2e/screenshots/connections-1280.png' });

    // Every channel across connections, as RabbitMQ's Channels tab.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Channels' }).click();
    await expect(page.getByRole('heading', { name: 'Channels' })).toBeVisible();
    const all = page.getByRole('table', { name: 'Channels' });
    const consumerChannel = all.getByRole('row', { name: /^Channel 1 of s17-billing-worker/ });
    const confirmChannel = all.getByRole('row', { name: /^Channel 2 of s17-billing-worker/ });
    await expect(consumerChannel).toContainText('guest');
    await expect(consumerChannel).toContainText('s17-invoices');
    // Channel, user, vhost, prefetch, unacked, confirm, …
    await expect(consumerChannel.getByRole('cell').nth(3)).toHaveText('10');
    await expect(consumerChannel.getByRole('cell').nth(4)).toHaveText('10');
    await expect(consumerChannel.getByRole('cell').nth(5)).toHaveText('off');
    await expect(confirmChannel.getByRole('cell').nth(5)).toHaveText('on');
    await page.screenshot({ path: 'e2e/screenshots/channels.png', fullPage: true });
  } finally {
    clearInterval(timer);
    await worker.close();
  }
});
