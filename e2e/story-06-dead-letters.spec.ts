// Story 6: open the dead-letter queue, read why each message died (reason,
// original queue, attempts, time), fix the consumer, requeue the selected
// messages (or all) to their original queue, and see them consumed.
import fs from 'node:fs';
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('read why messages died, requeue selected and all to the original queue, see them consumed', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story6');
  const ch = await conn.createChannel();
  await ch.assertExchange('s6-dlx', 'fanout', { durable: false });
  await ch.assertQueue('s6-dlq', { durable: false });
  await ch.bindQueue('s6-dlq', 's6-dlx', '');
  await ch.assertQueue('s6-orders', { durable: false, arguments: { 'x-dead-letter-exchange': 's6-dlx' } });
  await ch.assertQueue('s6-reminders', { durable: false, arguments: { 'x-dead-letter-exchange': 's6-dlx', 'x-message-ttl': 100 } });

  // A broken consumer rejects every order; two reminders expire unread.
  const broken = await conn.createChannel();
  const { consumerTag } = await broken.consume('s6-orders', (m) => m && broken.nack(m, false, false));
  for (let i = 0; i < 5; i++) ch.sendToQueue('s6-orders', Buffer.from(JSON.stringify({ order: i })));
  ch.sendToQueue('s6-reminders', Buffer.from('remind-a'));
  ch.sendToQueue('s6-reminders', Buffer.from('remind-b'));
  await expect.poll(async () => (await ch.checkQueue('s6-dlq')).messageCount).toBe(7);
  await broken.cancel(consumerTag);

  try {
    await page.goto('/dead-letters');
    await page.getByLabel('Dead-letter queue').selectOption({ label: 's6-dlq (7)' });
    await expect(page).toHaveURL(/queue=s6-dlq/);
    const table = page.getByRole('table', { name: 'Dead letters' });
    await expect(table.getByRole('row')).toHaveCount(8);
    await expect(table.getByRole('row').filter({ hasText: 'rejected' }).filter({ hasText: 's6-orders' })).toHaveCount(5);
    await expect(table.getByRole('row').filter({ hasText: 'expired' }).filter({ hasText: 's6-reminders' })).toHaveCount(2);
    // Read one message: its payload and x-death history.
    await table.getByRole('row').filter({ hasText: 'rejected' }).first().getByRole('button', { name: 'View' }).click();
    await expect(table.getByText('"order"')).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/dead-letters.png', fullPage: true });

    // Filter by reason (kept in the URL).
    await page.getByLabel('Reason').selectOption('rejected');
    await expect(page).toHaveURL(/reason=rejected/);
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('5 matching');
    await page.getByLabel('Payload contains').fill('"order":3');
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('1 matching');
    await page.getByLabel('Payload contains').fill('');
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('5 matching');

    // The consumer is fixed: it acknowledges what it gets.
    const consumed: string[] = [];
    const fixed = await conn.createChannel();
    await fixed.consume('s6-orders', (m) => {
      if (!m) return;
      consumed.push(m.content.toString());
      fixed.ack(m);
    });

    // Requeue two selected messages to their original queue.
    const boxes = table.getByRole('checkbox', { name: /^Select message/ });
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: 'Requeue' }).click();
    await expect(page.getByRole('status', { name: 'Result' })).toHaveText('Requeued 2 message(s) to their original queues.');
    await expect.poll(() => consumed.length).toBe(2);
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('3 matching');

    // Then all the remaining rejected ones.
    await page.getByRole('button', { name: 'Select all 3 matching' }).click();
    await page.getByRole('button', { name: 'Requeue' }).click();
    await expect(page.getByRole('status', { name: 'Result' })).toHaveText('Requeued 3 message(s) to their original queues.');
    await expect.poll(() => consumed.length).toBe(5);
    expect(consumed.map((c) => JSON.parse(c).order).sort()).toEqual([0, 1, 2, 3, 4]);
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('0 matching');

    // The expired reminders: export them as JSON lines, move one elsewhere, delete the other.
    await page.getByLabel('Reason').selectOption('');
    await expect(page.getByRole('status', { name: 'Matching' })).toHaveText('2 matching');
    await page.getByRole('checkbox', { name: 'Select this page' }).check();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON lines' }).click();
    const lines = fs
      .readFileSync(await (await download).path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).reason)).toEqual(['expired', 'expired']);
    await expect(page.getByRole('status', { name: 'Result' })).toHaveText('Exported 2 message(s) as JSON lines; they stay in s6-dlq.');

    // One goes to another queue instead of its original one.
    await ch.assertQueue('s6-parked', { durable: false });
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await table
      .getByRole('checkbox', { name: /^Select message/ })
      .first()
      .check();
    await page.getByLabel('Requeue to').fill('s6-parked');
    await page.getByRole('button', { name: 'Requeue' }).click();
    await expect(page.getByRole('status', { name: 'Result' })).toHaveText('Requeued 1 message(s) to s6-parked.');
    const parked = await ch.get('s6-parked', { noAck: true });
    expect(parked && parked.content.toString()).toMatch(/^remind-/);

    // The last one is deleted after a confirmation that says how many.
    await page.getByRole('checkbox', { name: 'Select this page' }).check();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete 1 dead letter(s)?' });
    await confirm.getByRole('button', { name: 'Delete 1 message(s)' }).click();
    await expect(page.getByRole('status', { name: 'Result' })).toHaveText('Deleted 1 message(s).');
    await expect(page.getByText('s6-dlq is empty.')).toBeVisible();
    expect((await ch.checkQueue('s6-dlq')).messageCount).toBe(0);

    // Every bulk action is in the audit log with how many it moved.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Admin' }).click();
    const audit = page.getByRole('table', { name: 'Audit log' });
    await expect(audit.getByRole('row', { name: /dead-letters\.requeue.*s6-dlq/ }).filter({ hasText: '"requeued":3' })).toHaveCount(1);
    await expect(audit.getByRole('row', { name: /dead-letters\.requeue.*s6-dlq/ }).filter({ hasText: '"requeued":2' })).toHaveCount(1);
    await expect(audit.getByRole('row', { name: /dead-letters\.delete.*s6-dlq/ })).toContainText('"deleted":1');
  } finally {
    await conn.close();
  }
});
