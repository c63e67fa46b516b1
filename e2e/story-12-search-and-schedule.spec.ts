// Story 12: find one message in a queue by its JSON content without taking
// anything, pause the queue; then deliver a delayed message now from the
// Scheduled page.
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

test('search a queue by JSON path, pause it, and deliver a scheduled message now', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story12');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s12-orders');
  for (let n = 0; n < 200; n++) ch.sendToQueue('s12-orders', Buffer.from(JSON.stringify({ order: { id: n } })), { messageId: `order-${n}` });
  await ch.assertExchange('s12-later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'direct' } });
  await ch.assertQueue('s12-jobs');
  await ch.bindQueue('s12-jobs', 's12-later', 'job');
  ch.publish('s12-later', 'job', Buffer.from('later'), { messageId: 'job-1', headers: { 'x-delay': 600_000 } });
  await ch.waitForConfirms();

  await page.goto('/queue?vhost=%2F&name=s12-orders');
  const search = page.getByRole('form', { name: 'Search this queue' });
  await search.getByLabel('JSON path conditions, one a line').fill('$.order.id == 42');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status', { name: 'Search progress' })).toContainText('Search finished: 200 of 200 message(s) read, 1 matched');
  await expect(page.getByText('Message 43 at position 43')).toBeVisible();
  await expect(figure(page, 'Ready')).toHaveText('200');

  await page.getByRole('button', { name: 'Pause delivery' }).click();
  await expect(page.getByRole('heading', { name: /Queue s12-orders/ })).toContainText('delivery paused');
  await page.getByRole('button', { name: 'Resume delivery' }).click();

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Scheduled' }).click();
  await page.getByRole('table', { name: 'Exchanges with scheduled messages' }).getByRole('button', { name: 's12-later' }).click();
  const row = page.getByRole('table', { name: 'Scheduled messages' }).getByRole('row', { name: /job-1/ });
  await expect(row).toContainText(/in (9|10)m/);
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Deliver 1 now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Delivered' })).toHaveText('Delivered 1 message(s) now.');
  expect((await ch.checkQueue('s12-jobs')).messageCount).toBe(1);
  await conn.close();
});

test('move two found messages to another queue, and edit one and republish it', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story12-ops');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s12-refunds');
  await ch.assertQueue('s12-refunds.review');
  for (let n = 0; n < 20; n++) {
    ch.sendToQueue('s12-refunds', Buffer.from(JSON.stringify({ kind: n % 5 === 0 ? 'refund' : 'sale', n })), { messageId: `pay-${n}` });
  }
  await ch.waitForConfirms();

  await page.goto('/queue?vhost=%2F&name=s12-refunds');
  const search = page.getByRole('form', { name: 'Search this queue' });
  await search.getByLabel('JSON path conditions, one a line').fill('$.kind == "refund"');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status', { name: 'Search progress' })).toContainText('4 matched');

  await page.getByLabel('Select message 1', { exact: true }).check();
  await page.getByLabel('Select message 6', { exact: true }).check();
  const selected = page.getByRole('group', { name: 'Selected messages' });
  await expect(selected).toContainText('2 selected');
  await selected.getByLabel('To queue').fill('s12-refunds.review');
  await selected.getByRole('button', { name: 'Move selected…' }).click();
  await page
    .getByRole('dialog', { name: /Move 2 selected/ })
    .getByRole('button', { name: 'Move 2 message(s)' })
    .click();
  await expect(page.getByRole('status').filter({ hasText: 'Moved' })).toHaveText('Moved 2 message(s) to s12-refunds.review.');
  expect((await ch.checkQueue('s12-refunds')).messageCount).toBe(18);
  expect((await ch.checkQueue('s12-refunds.review')).messageCount).toBe(2);

  // Message 11 is still found; fix its payload and republish it in place of the original.
  await page.getByRole('button', { name: 'Edit message 11…' }).click();
  const edit = page.getByRole('dialog', { name: /Edit and republish message/ });
  await edit.getByLabel('Payload').fill('{"kind":"refund","n":10,"checked":true}');
  await edit.getByRole('button', { name: 'Republish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'republished' })).toHaveText('Edited message republished; the original was removed.');
  expect((await ch.checkQueue('s12-refunds')).messageCount).toBe(18);

  const bodies: string[] = [];
  const edited: unknown[] = [];
  for (;;) {
    const m = await ch.get('s12-refunds', { noAck: true });
    if (m === false) break;
    bodies.push(m.content.toString());
    if (m.properties.headers?.['x-warren-edited-from'] !== undefined) edited.push(m.content.toString());
  }
  expect(bodies).toHaveLength(18);
  expect(edited).toEqual(['{"kind":"refund","n":10,"checked":true}']);
  expect(bodies.filter((b) => b.includes('"n":10,')).length).toBe(1);
  await conn.close();
});
