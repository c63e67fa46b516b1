// Story 19: "where did order 42 go, and why?" Tracing is turned on for a
// queue from the console; a message is published with amqplib, consumed and
// rejected into the queue's retry tier and finally its dead-letter queue;
// its journey, searched by message id, shows every step.
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('trace a queue, then follow a rejected message to its dead-letter queue on the Journey page', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story19');
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange('s19-orders', 'topic', { durable: true });
  await ch.assertQueue('s19-billing', { durable: true, arguments: { 'x-retry-tiers': ['200ms'] } });
  await ch.bindQueue('s19-billing', 's19-orders', 'order.*');
  await ch.bindQueue('s19-billing', 's19-orders', 'order.#');

  await page.goto('/queue?vhost=%2F&name=s19-billing');
  const trace = page.getByLabel('Trace journeys of messages entering this queue');
  await expect(trace).not.toBeChecked();
  await trace.click(); // a controlled switch: checked once the server says so
  await expect(trace).toBeChecked();

  ch.publish('s19-orders', 'order.created', Buffer.from('{"order":42}'), { messageId: 's19-order-42', persistent: true });
  await ch.waitForConfirms();
  let rejected = 0;
  await ch.consume(
    's19-billing',
    (msg) => {
      if (msg === null) return;
      rejected++;
      ch.reject(msg, false);
    },
    { consumerTag: 's19-worker' },
  );
  await expect.poll(async () => (await ch.checkQueue('s19-billing.dlq')).messageCount, { timeout: 10_000 }).toBe(1);
  expect(rejected).toBe(2);

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Journey' }).click();
  await page.getByRole('searchbox', { name: 'Message' }).fill('s19-order-42');
  await page.getByRole('button', { name: 'Find journey' }).click();
  const timeline = page.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem')).toHaveCount(13);
  const kinds = await timeline.locator('.journey-kind').allTextContents();
  expect(kinds).toEqual([
    'Published',
    'Binding matched',
    'Binding matched',
    'Entered queue',
    'Delivered',
    'Rejected',
    'Held for retry',
    'Back from retry tier',
    'Entered queue',
    'Delivered',
    'Rejected',
    'Dead-lettered',
    'Entered queue',
  ]);
  const steps = timeline.getByRole('listitem');
  await expect(steps.nth(0)).toContainText('to exchange s19-orders with routing key order.created by user guest');
  await expect(steps.nth(1)).toContainText('binding key order.*');
  await expect(steps.nth(2)).toContainText('binding key order.#');
  await expect(steps.nth(4)).toContainText('consumer s19-worker');
  await expect(steps.nth(6)).toContainText('tier 200ms, attempt 1');
  await expect(steps.nth(11)).toContainText('reason rejected');
  await expect(steps.nth(12)).toContainText('s19-billing.dlq');
  // The queue named in a step links to its page.
  await steps.nth(12).getByRole('link', { name: 's19-billing.dlq' }).click();
  await expect(page.getByRole('heading', { name: /Queue s19-billing\.dlq/ })).toBeVisible();
  await conn.close();
});
