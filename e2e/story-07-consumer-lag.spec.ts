// Story 7: a stream with two consumer groups, one slow: the stream page charts
// each group's lag in messages and in time; the lag page ranks the slow group
// first; resetting a group's offset changes what it reads next.
import type { Channel, ConsumeMessage } from 'amqplib';
import { expect, test } from './fixtures';
import { connect } from './helpers';

const offsetOf = (m: ConsumeMessage) => Number(m.properties.headers?.['x-stream-offset']);

test('two groups on a stream: the slow one lags more, ranks first, and a reset changes what it reads next', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story7');
  const ch = await conn.createChannel();
  await ch.assertQueue('s7-events', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  // A queue whose one message waits with no consumer, for the lag page.
  await ch.assertQueue('s7-backlog', { durable: false });
  ch.sendToQueue('s7-backlog', Buffer.from('old'));
  const backlogSince = Date.now();
  let n = 0;
  const publisher = setInterval(() => ch.sendToQueue('s7-events', Buffer.from(JSON.stringify({ n: n++ }))), 20);

  const fast = await conn.createChannel();
  await fast.prefetch(100);
  await fast.consume('s7-events', (m) => m && fast.ack(m), { arguments: { 'x-stream-group': 'fast', 'x-stream-offset': 'first' } });

  // The slow group acknowledges one message every 300 ms.
  const slowRead: number[] = [];
  let slowOpen = false;
  const startSlow = async (): Promise<Channel> => {
    const slow = await conn.createChannel();
    slowOpen = true;
    await slow.prefetch(1);
    await slow.consume(
      's7-events',
      (m) => {
        if (!m) return;
        slowRead.push(offsetOf(m));
        setTimeout(() => {
          // The channel is closed on purpose before the reset; its pending ack is moot then.
          if (slowOpen) slow.ack(m);
        }, 300);
      },
      { arguments: { 'x-stream-group': 'slow', 'x-stream-offset': 'first' } },
    );
    return slow;
  };
  let slow = await startSlow();

  try {
    await page.goto('/streams');
    await expect(page.getByRole('table', { name: 'Streams' }).getByRole('row', { name: /s7-events/ })).toContainText('2');
    await page.getByRole('link', { name: 's7-events' }).click();
    await expect(page.getByRole('heading', { name: 'Stream s7-events' })).toBeVisible();

    const groups = page.getByRole('table', { name: 'Consumer groups' });
    const fastRow = groups.getByRole('row', { name: 'Group fast' });
    const slowRow = groups.getByRole('row', { name: 'Group slow' });
    const lagOf = async (row: typeof fastRow) => Number((await row.locator('[data-field="lag-messages"]').textContent())!.replace(/,/g, ''));
    const msOf = async (row: typeof fastRow) => Number(await row.locator('[data-field="lag-ms"]').getAttribute('data-ms'));
    await expect.poll(async () => (await lagOf(slowRow)) - (await lagOf(fastRow))).toBeGreaterThan(20);
    await expect.poll(async () => (await msOf(slowRow)) - (await msOf(fastRow))).toBeGreaterThan(1000);

    // Both groups are charted, in messages and in time, the slow line above the fast one.
    const inMessages = page.getByRole('figure', { name: 'Lag in messages' });
    const inTime = page.getByRole('figure', { name: 'Lag in time' });
    await expect.poll(async () => Number(await inMessages.getAttribute('data-points'))).toBeGreaterThan(3);
    const now = async (chart: typeof inMessages, series: string) => Number((await chart.locator(`[data-series="${series}"]`).textContent())!.replace(/,/g, ''));
    expect(await now(inMessages, 'm:slow')).toBeGreaterThan(await now(inMessages, 'm:fast'));
    expect(await now(inTime, 's:slow')).toBeGreaterThan(await now(inTime, 's:fast'));
    await page.screenshot({ path: 'e2e/screenshots/stream-lag.png', fullPage: true });

    // Opened again, the charts start from the broker's lag history, not from nothing: more points at once than a second or two of live updates could give.
    await page.reload();
    await expect.poll(async () => Number(await inMessages.getAttribute('data-points')), { timeout: 1_500 }).toBeGreaterThan(3);

    // The message browser reads from an offset, page by page.
    await page.getByRole('form', { name: 'Read the stream' }).getByLabel('From').selectOption('offset');
    await page.getByRole('form', { name: 'Read the stream' }).getByLabel('Offset', { exact: true }).fill('10');
    await page.getByRole('button', { name: 'Read', exact: true }).click();
    await expect(page.getByText(/^Offset 10 ·/)).toBeVisible();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect(page.getByText(/^Offset 30 ·/)).toBeVisible();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect(page.getByText(/^Offset 10 ·/)).toBeVisible();

    // The lag page ranks the slow group first, and the old backlog first among queues.
    await page.goto('/lag');
    const ranked = page.getByRole('table', { name: 'Stream groups by lag' }).getByRole('row');
    await expect(ranked.nth(1)).toContainText('s7-events');
    await expect(ranked.nth(1)).toContainText('slow');
    // The backlog's age is how long its message has waited (to the second).
    const backlog = page.getByRole('table', { name: 'Queues by oldest message' }).getByRole('row').filter({ hasText: 's7-backlog' });
    const ageSeconds = async () => {
      const m = /(?:(\d+)m )?(\d+)s/.exec((await backlog.getByRole('cell').nth(1).textContent()) ?? '');
      return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : -1;
    };
    const waited = Math.floor((Date.now() - backlogSince) / 1000);
    await expect.poll(ageSeconds).toBeGreaterThanOrEqual(waited - 2);
    expect(await ageSeconds()).toBeLessThanOrEqual(Math.ceil((Date.now() - backlogSince) / 1000) + 2);
    await page.screenshot({ path: 'e2e/screenshots/lag.png', fullPage: true });

    // Stop the slow consumer, reset its group to offset 5 after a confirmation.
    slowOpen = false;
    await slow.close();
    const readBefore = Math.max(...slowRead);
    expect(readBefore).toBeGreaterThan(5);
    await page.goBack();
    await expect(slowRow.getByRole('cell').nth(2)).toHaveText('0');
    const reset = slowRow.getByRole('group', { name: 'Reset group slow' });
    await reset.getByLabel('Reset to').selectOption('offset');
    await reset.getByLabel('Offset', { exact: true }).fill('5');
    await reset.getByRole('button', { name: 'Reset…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset group slow?' });
    await expect(dialog).toContainText('offset 5');
    await dialog.getByRole('button', { name: 'Reset offset' }).click();
    await expect(reset.getByRole('status')).toHaveText('Resumes at offset 5.');
    await expect(slowRow.locator('[data-field="committed"]')).toHaveText('4');

    // What it reads next changed: it starts again at offset 5.
    const readAfterReset = slowRead.length;
    slow = await startSlow();
    await expect.poll(() => slowRead.length).toBeGreaterThan(readAfterReset);
    expect(slowRead[readAfterReset]).toBe(5);

    // Reset to a time: the group resumes at the first message the browser shows from that time.
    slowOpen = false;
    await slow.close();
    await expect(slowRow.getByRole('cell').nth(2)).toHaveText('0');
    const t = new Date(Date.now() - 2_000);
    const pad = (v: number) => String(v).padStart(2, '0');
    const local = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
    const browser = page.getByRole('form', { name: 'Read the stream' });
    await browser.getByLabel('From').selectOption('timestamp');
    await browser.getByLabel('Time', { exact: true }).fill(local);
    await browser.getByRole('button', { name: 'Read', exact: true }).click();
    const firstTitle = await page
      .getByText(/^Offset \d+ ·/)
      .first()
      .textContent();
    const fromTime = Number(/^Offset (\d+)/.exec(firstTitle!)![1]);
    expect(fromTime).toBeGreaterThan(5);
    await reset.getByLabel('Reset to').selectOption('timestamp');
    await reset.getByLabel('Time', { exact: true }).fill(local);
    await reset.getByRole('button', { name: 'Reset…' }).click();
    await dialog.getByRole('button', { name: 'Reset offset' }).click();
    await expect(reset.getByRole('status')).toHaveText(`Resumes at offset ${fromTime}.`);
    const readBeforeTimeReset = slowRead.length;
    slow = await startSlow();
    await expect.poll(() => slowRead.length).toBeGreaterThan(readBeforeTimeReset);
    expect(slowRead[readBeforeTimeReset]).toBe(fromTime);

    // And back to the first message.
    slowOpen = false;
    await slow.close();
    await expect(slowRow.getByRole('cell').nth(2)).toHaveText('0');
    await reset.getByLabel('Reset to').selectOption('first');
    await reset.getByRole('button', { name: 'Reset…' }).click();
    await dialog.getByRole('button', { name: 'Reset offset' }).click();
    await expect(reset.getByRole('status')).toHaveText('Resumes at offset 0.');
    const readBeforeFirstReset = slowRead.length;
    slow = await startSlow();
    await expect.poll(() => slowRead.length).toBeGreaterThan(readBeforeFirstReset);
    expect(slowRead[readBeforeFirstReset]).toBe(0);
  } finally {
    clearInterval(publisher);
    slowOpen = false;
    await conn.close();
  }
});
