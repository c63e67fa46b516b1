// Story 10: see connections, channels and consumers with client names and
// unacked counts; close a connection and watch the client reconnect.
import type { ChannelModel } from 'amqplib';
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('see who is connected, close a connection, and the client comes back', async ({ page, warren }) => {
  let closedWith = '';
  let stopping = false;
  let connections = 0;
  let current: ChannelModel;
  // A resilient worker: consumes with prefetch 10 and reconnects when its connection is closed.
  const start = async () => {
    current = await connect(warren.amqpUrl, 'billing-worker');
    connections++;
    const ch = await current.createChannel();
    await ch.prefetch(10);
    await ch.assertQueue('s10-billing', { durable: false });
    await ch.consume('s10-billing', () => {}, { noAck: false, consumerTag: 'billing-1' });
    current.on('error', () => {});
    current.on('close', (err?: Error) => {
      closedWith = err?.message ?? 'closed';
      if (!stopping) setTimeout(() => void start(), 200);
    });
    if (connections === 1) for (let i = 0; i < 3; i++) ch.sendToQueue('s10-billing', Buffer.from(`invoice ${i}`));
  };
  await start();

  await page.goto('/connections');
  const table = page.getByRole('table', { name: 'Connections' });
  const row = table.getByRole('row').filter({ hasText: 'billing-worker' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('amqplib');
  await expect(row).toContainText('guest');
  await expect(row).toContainText(/127\.0\.0\.1:\d+/);
  // Opened, the connection shows its channel: prefetch 10, 3 unacked, consuming from s10-billing.
  const channel = page.getByRole('table', { name: 'Channels of billing-worker' }).locator('tr[data-channel="1"]');
  const showChannels = async () => {
    await row.getByRole('button', { name: /^▸ billing-worker/ }).click();
    await expect(channel.getByRole('cell').nth(0)).toHaveText('10');
    await expect(channel.getByRole('cell').nth(1)).toHaveText('3');
    await expect(channel).toContainText('s10-billing billing-1 · 3 / 10 unacked');
  };
  await showChannels();
  // The connection's id is shown beside its name (consumers on the queue page name it too).
  const firstId = await row.locator('[data-connection-id]').textContent();
  await page.screenshot({ path: 'e2e/screenshots/connections.png', fullPage: true });

  await row.getByRole('button', { name: /Close connection/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Reason').fill('rebalancing');
  await dialog.getByRole('button', { name: 'Close connection' }).click();
  await expect.poll(() => closedWith).toContain('rebalancing');
  expect(closedWith).toContain('320');

  // The client reconnects and shows up again, its three unacked messages redelivered to it.
  await expect.poll(() => connections).toBe(2);
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-connection-id]')).not.toHaveText(firstId!);
  await showChannels();
  stopping = true;
  await current!.close();
});
