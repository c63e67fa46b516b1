// Story 13, the on-call side: at 3 a.m. the overview opens with what is wrong
// now, ranked; the lag page ranks by growth; an exchange or stream address that
// does not exist says so once and stops asking; every live card says how old
// its figures are; and a routing graph of 300 queues starts readable.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connect } from './helpers';

// The screen, tall enough that every ranked row is drawn.
test.use({ viewport: { width: 1440, height: 1400 } });

/** Names of this spec's queues in a ranked table, in the order shown. */
async function ownRanked(page: Page, table: string): Promise<string[]> {
  const names = await page.getByRole('table', { name: table }).getByRole('row').getByRole('link').allTextContents();
  return names.filter((n) => n.startsWith('s16-'));
}

/** Counts the API requests whose address names `procedure` from now on. */
function countRequests(page: Page, procedure: string): () => number {
  let n = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/trpc/') && r.url().includes(procedure)) n++;
  });
  return () => n;
}

test('the growing queue is first under "Needs attention" and on the lag page by growth', async ({ page, context, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story16');
  const ch = await conn.createChannel();
  // A consumer that acks one message every 200 ms, fed one every 20 ms.
  await ch.assertQueue('s16-grow', { durable: false });
  const consumer = await conn.createChannel();
  await consumer.prefetch(1);
  await consumer.consume('s16-grow', (m) => m && setTimeout(() => consumer.ack(m), 200));
  const publisher = setInterval(() => ch.sendToQueue('s16-grow', Buffer.from('{"order":1}')), 20);
  // A small backlog nobody consumes: it needs attention too, but less.
  await ch.assertQueue('s16-idle', { durable: false });
  for (let i = 0; i < 3; i++) ch.sendToQueue('s16-idle', Buffer.from('waiting'));
  try {
    await page.goto('/');
    const card = page.getByRole('region', { name: /Needs attention/ });
    await expect(card).toBeVisible();
    await expect.poll(() => ownRanked(page, 'Needs attention'), { timeout: 20_000 }).toEqual(['s16-grow', 's16-idle']);
    const grow = page.getByRole('table', { name: 'Needs attention' }).getByRole('row', { name: /^s16-grow: Growing/ });
    await expect(grow).toContainText(/Growing \d+(\.\d)? msg\/s \(in \d+(\.\d)? msg\/s, acked \d+(\.\d)? msg\/s\), no length limit/);
    await expect(grow).toContainText('Consumers saturated');
    await expect(grow.getByRole('link', { name: 's16-grow' })).toHaveAttribute('href', '/queue?vhost=%2F&name=s16-grow');
    await expect(card.locator('h2 .updated-ago')).toHaveText(/^updated \d+ s ago$/);
    await expect(page.locator('figure', { hasText: 'Message rates' }).locator('.updated-ago')).toHaveText(/^updated \d+ s ago$/);
    await page.screenshot({ path: 'e2e/screenshots/needs-attention.png', fullPage: true });
    // Cut off from the broker, the age greys and says the figures are not live; back, it is live again.
    const age = card.locator('h2 .updated-ago');
    await context.setOffline(true);
    await expect(age).toHaveAttribute('data-stale', 'true', { timeout: 5_000 });
    await expect(age).toHaveText(/^updated \d+ s ago, not live$/);
    await expect(age).toHaveCSS('opacity', '0.6');
    await context.setOffline(false);
    await expect(age).toHaveAttribute('data-stale', 'false', { timeout: 5_000 });

    await page.goto('/lag');
    await expect.poll(() => ownRanked(page, 'Queues by growth')).toEqual(['s16-grow']);
    const lagRow = page.getByRole('table', { name: 'Queues by growth' }).getByRole('row').filter({ hasText: 's16-grow' });
    await expect(lagRow.getByRole('cell').nth(1)).toHaveText(/^\+\d+(\.\d)?\/s$/);
    await expect(page.getByRole('region', { name: /Queues by growth/ }).locator('.updated-ago')).toHaveText(/^updated \d+ s ago$/);

    // Once the consumer drains it and the publisher stops, it leaves the list.
    clearInterval(publisher);
    await ch.purgeQueue('s16-grow');
    await ch.purgeQueue('s16-idle');
    await page.goto('/');
    await expect.poll(() => ownRanked(page, 'Needs attention'), { timeout: 20_000 }).toEqual([]);
  } finally {
    clearInterval(publisher);
    await ch.deleteQueue('s16-grow');
    await ch.deleteQueue('s16-idle');
    await conn.close();
  }
});

test('a missing exchange or stream is said once, with close names, and not asked for again', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story16-missing');
  const ch = await conn.createChannel();
  await ch.assertExchange('s16-shop', 'topic', { durable: false });
  await ch.assertQueue('s16-events', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  try {
    const exchangeCalls = countRequests(page, 'exchanges.');
    await page.goto('/exchanges?vhost=%2F&selected=s16-shopp');
    const missing = page.getByRole('status', { name: 'Exchange not found' });
    await expect(missing).toContainText("Exchange 's16-shopp' does not exist in vhost /.");
    await expect(missing.getByRole('link', { name: 'Back to the exchange list' })).toHaveAttribute('href', '/exchanges');
    const asked = exchangeCalls();
    await page.waitForTimeout(3_000);
    expect(exchangeCalls()).toBe(asked);
    expect(asked).toBe(1);
    await expect(page.getByText('does not exist')).toHaveCount(1);
    // The close name opens the exchange on the same page.
    await missing.getByRole('link', { name: 's16-shop' }).click();
    await expect(page.getByLabel('Exchange s16-shop', { exact: true })).toBeVisible();
    await expect(page.locator('.updated-ago').first()).toHaveText(/^updated \d+ s ago$/);
    await expect(page).toHaveURL(/selected=s16-shop$/);

    const streamCalls = countRequests(page, 'streams.');
    await page.goto('/streams/view?vhost=%2F&name=s16-event');
    const gone = page.getByRole('status', { name: 'Stream not found' });
    await expect(gone).toContainText("Stream 's16-event' does not exist in vhost /.");
    await expect(gone.getByRole('link', { name: 'Back to the stream list' })).toHaveAttribute('href', '/streams');
    const streamAsked = streamCalls();
    await page.waitForTimeout(3_000);
    expect(streamCalls()).toBe(streamAsked);
    expect(streamAsked).toBe(1);
    await gone.getByRole('link', { name: 's16-events' }).click();
    await expect(page.getByRole('heading', { name: 'Stream s16-events' })).toBeVisible();
    await expect(page.getByRole('region', { name: /Consumer groups/ }).locator('.updated-ago')).toHaveText(/^updated \d+ s ago$/);
  } finally {
    await ch.deleteExchange('s16-shop');
    await ch.deleteQueue('s16-events');
    await conn.close();
  }
});

test('a routing graph of 300 queues starts as groups by name prefix, and a click expands one', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story16-routing');
  const ch = await conn.createChannel();
  // Three prefixes of 100 queues each: `s16billing`, `s16orders` and `s16mail`.
  const names = Array.from({ length: 100 }, (_, i) => [`s16billing.invoice-${i}`, `s16orders-${i}`, `s16mail.${i}`]).flat();
  await ch.assertExchange('s16-route', 'topic', { durable: false });
  try {
    for (const name of names) await ch.assertQueue(name, { durable: false });
    for (let i = 0; i < 100; i++) await ch.bindQueue(`s16billing.invoice-${i}`, 's16-route', `invoice.${i}`);
    await page.goto('/routing?search=s16');
    const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
    for (const group of ['s16billing', 's16orders', 's16mail']) await expect(node(`g:${group}`)).toBeVisible();
    await expect(node('g:s16mail')).toContainText('100 queues');
    await expect(node('q:s16mail.7')).toHaveCount(0);
    // One edge from the exchange to the billing group stands for its 100 bindings.
    await expect(page.locator('.react-flow__edge-text', { hasText: '100 bindings' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'queues grouped by name prefix' })).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/routing-groups.png', fullPage: true });

    await node('g:s16mail').click();
    await expect(node('q:s16mail.7')).toBeVisible();
    await expect(node('g:s16mail')).toHaveCount(0);
    await expect(node('g:s16billing')).toBeVisible();
    await page.getByRole('button', { name: 'Collapse s16mail…' }).click();
    await expect(node('g:s16mail')).toBeVisible();
  } finally {
    for (const name of names) await ch.deleteQueue(name);
    await ch.deleteExchange('s16-route');
    await conn.close();
  }
});
