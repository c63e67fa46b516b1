// Story 3: look at messages without losing them — payload as JSON, text and
// hex, with headers and properties — and the queue's depth is unchanged.
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

test('browse the first messages of a queue without consuming them', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story3');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s3-invoices');
  for (let i = 1; i <= 3; i++) {
    ch.sendToQueue('s3-invoices', Buffer.from(JSON.stringify({ invoice: i, customer: { name: 'Ada' } })), {
      contentType: 'application/json',
      messageId: `inv-${i}`,
      headers: { tenant: 'acme', attempt: i },
    });
  }
  await ch.waitForConfirms();
  await conn.close();

  await page.goto('/queue?vhost=%2F&name=s3-invoices');
  const ready = figure(page, 'Ready');
  await expect(ready).toHaveText('3');

  await page.getByRole('button', { name: 'Browse', exact: true }).click();
  const browsed = page.getByRole('region', { name: 'Browsed messages' });
  const first = browsed.getByRole('article', { name: 'Message at position 1' });
  await expect(first.getByLabel('Payload', { exact: true })).toContainText('"invoice"');
  await expect(first.getByLabel('Payload', { exact: true })).toContainText('"Ada"');
  await expect(first.getByRole('table', { name: 'Properties' })).toContainText('inv-1');
  await expect(first.getByRole('table', { name: 'Properties' })).toContainText('header tenant');
  await expect(first.getByRole('table', { name: 'Properties' })).toContainText('acme');
  await expect(browsed.getByRole('article')).toHaveCount(3);

  await first.getByRole('button', { name: 'TEXT' }).click();
  await expect(first.getByLabel('Payload', { exact: true })).toContainText('{"invoice":1,"customer":{"name":"Ada"}}');
  await first.getByRole('button', { name: 'HEX' }).click();
  await expect(first.getByLabel('Payload', { exact: true })).toContainText('7b 22 69 6e 76 6f 69 63');

  // Nothing was consumed: the depth is the same, in the same order.
  await page.waitForTimeout(1_500);
  await expect(ready).toHaveText('3');
  await page.screenshot({ path: 'e2e/screenshots/browse.png', fullPage: true });

  const check = await connect(warren.amqpUrl, 'story3-check');
  const cch = await check.createChannel();
  const got = await cch.get('s3-invoices', { noAck: true });
  expect(got && JSON.parse(got.content.toString()).invoice).toBe(1);
  expect(got && got.fields.redelivered).toBe(false);
  await check.close();
});
