// Story 13, large and binary messages: a 1 MB JSON message opens at once as
// a tree rendered only where open, and the page stays responsive while the
// queue page refreshes every second; a payload that is not UTF-8 opens as
// hex with its content type and size; byte headers show as hex, timestamps
// as local dates with the raw value on hover.
import { expect, test } from './fixtures';
import { connect } from './helpers';

/** About 1 MB of JSON: 4,000 orders, each with lines and a customer. */
function largeJson(): Buffer {
  const orders = Array.from({ length: 4000 }, (_, i) => ({
    id: i,
    customer: { name: `Customer ${i}`, email: `c${i}@example.com`, tier: i % 3 ? 'gold' : 'basic' },
    lines: Array.from({ length: 3 }, (_, j) => ({ sku: `SKU-${i}-${j}`, qty: j + 1, price: 9.99 + j })),
    note: 'x'.repeat(60),
  }));
  return Buffer.from(JSON.stringify({ batch: 'b-1', orders }));
}

test('a 1 MB JSON message opens in under a second and the page never freezes', async ({ page, warren }) => {
  const body = largeJson();
  expect(body.length).toBeGreaterThan(1_000_000);
  const conn = await connect(warren.amqpUrl, 'story13-large');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s13-large');
  ch.sendToQueue('s13-large', body, {
    contentType: 'application/json',
    timestamp: 1767225600,
    headers: { signature: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
  });
  await ch.waitForConfirms();
  await conn.close();

  await page.goto('/queue?vhost=%2F&name=s13-large');
  await expect(page.getByRole('heading', { name: 'Queue s13-large' })).toBeVisible();
  await page.getByLabel('Browse first').fill('1');
  // Long tasks are collected from before the click on.
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: false });
  });
  const opened = await page.evaluate(async () => {
    const browse = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Browse')!;
    const started = performance.now();
    browse.click();
    const tree = () => document.querySelector('[aria-label="Browsed messages"] [aria-label="Payload"] .json-node');
    while (!tree()) await new Promise((r) => requestAnimationFrame(r));
    return { ms: performance.now() - started, at: performance.now() };
  });
  expect(opened.ms).toBeLessThan(1000);

  const message = page.getByRole('region', { name: 'Browsed messages' }).getByRole('article', { name: 'Message at position 1' });
  const payload = message.getByLabel('Payload', { exact: true });
  await expect(payload).toContainText('4,000 items');
  await expect(payload.getByRole('button', { name: /Show 100 more \(3,900 not shown\)/ })).toBeVisible();
  // Only what is open is rendered: a few hundred elements, not the 250,000 values.
  expect(await payload.locator('*').count()).toBeLessThan(5000);

  // Five seconds of the queue page refreshing every second: no task over 200 ms.
  await page.waitForTimeout(5000);
  const longTasks = await page.evaluate(
    (since) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= since),
    opened.at,
  );
  expect(
    longTasks.filter((t) => t.duration > 200),
    JSON.stringify(longTasks),
  ).toEqual([]);

  // Text shows its first 256 KiB until asked for all of it.
  await message.getByRole('button', { name: 'TEXT' }).click();
  await expect(message.getByText(/The first 256\.0 KiB of 1\.\d MiB of text/)).toBeVisible();
  await message.getByRole('button', { name: 'Show all' }).click();
  await expect(message.getByText(/The first 256\.0 KiB/)).toHaveCount(0);

  const properties = message.getByRole('table', { name: 'Properties' });
  await expect(properties.getByLabel('hex')).toHaveText('de ad be ef (4 bytes)');
  const timestamp = properties.locator('time');
  await expect(timestamp).toHaveAttribute('title', '1767225600 (seconds since 1970)');
  await expect(timestamp).toHaveAttribute('datetime', '2026-01-01T00:00:00.000Z');
});

test('a message that is not UTF-8 opens as hex with its content type and size', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story13-binary');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s13-binary');
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]), Buffer.alloc(300, 0x80)]);
  ch.sendToQueue('s13-binary', jpeg, { contentType: 'image/jpeg' });
  await ch.waitForConfirms();
  await conn.close();

  await page.goto('/queue?vhost=%2F&name=s13-binary');
  await page.getByRole('button', { name: 'Browse', exact: true }).click();
  const message = page.getByRole('region', { name: 'Browsed messages' }).getByRole('article', { name: 'Message at position 1' });
  await expect(message.getByRole('note')).toHaveText('Binary payload (not valid UTF-8): image/jpeg, 310 bytes.');
  await expect(message.getByLabel('Payload', { exact: true })).toContainText('00000000  ff d8 ff e0 00 10 4a 46 49 46 80 80 80 80 80 80  ......JFIF......');
});
