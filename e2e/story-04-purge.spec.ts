// Story 4: purge a queue after a confirmation that names how many messages
// will go; the depth drops to zero and the audit log records it.
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

test('purge a queue after confirming, and find it in the audit log', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story4');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s4-poison');
  for (let i = 0; i < 42; i++) ch.sendToQueue('s4-poison', Buffer.from(`bad ${i}`));
  await ch.waitForConfirms();

  await page.goto('/queue?vhost=%2F&name=s4-poison');
  const ready = figure(page, 'Ready');
  await expect(ready).toHaveText('42');

  await page.getByRole('button', { name: 'Purge…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Purge s4-poison?' });
  await expect(dialog).toContainText('42');
  // Cancel first: nothing happens.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(ready).toHaveText('42');

  await page.getByRole('button', { name: 'Purge…' }).click();
  await dialog.getByRole('button', { name: 'Purge 42 messages' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Purged' })).toHaveText('Purged 42 message(s).');
  await expect(ready).toHaveText('0');
  const q = await ch.checkQueue('s4-poison');
  expect(q.messageCount).toBe(0);
  await conn.close();

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Admin' }).click();
  const entry = page.getByRole('table', { name: 'Audit log' }).getByRole('row', { name: /queue\.purge/ });
  await expect(entry).toContainText("queue 's4-poison' in vhost '/'");
  await expect(entry).toContainText('"purged":42');
  await expect(entry).toContainText('guest');
  await page.screenshot({ path: 'e2e/screenshots/audit.png', fullPage: true });
});
