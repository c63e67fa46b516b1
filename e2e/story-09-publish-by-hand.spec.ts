// Story 9: publish a message by hand to an exchange with properties and
// headers, see where it was routed, and see it arrive at a real consumer.
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('publish a message by hand and see it arrive', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story9');
  const ch = await conn.createChannel();
  await ch.assertExchange('s9-events', 'topic', { durable: false });
  await ch.assertQueue('s9-audit', { durable: false });
  await ch.bindQueue('s9-audit', 's9-events', 'user.#');
  const received = new Promise<import('amqplib').ConsumeMessage>((resolve) => ch.consume('s9-audit', (m) => m && resolve(m), { noAck: true }));

  await page.goto('/publish');
  await page.getByRole('combobox', { name: 'Exchange' }).selectOption('s9-events');
  await page.getByRole('textbox', { name: 'Routing key' }).fill('user.signed-up');
  await expect(page.getByLabel('Route preview')).toHaveText('Would reach: s9-audit');
  await page.getByRole('textbox', { name: 'Routing key' }).fill('order.created');
  await expect(page.getByLabel('Route preview')).toContainText('No queue would receive this message');
  await page.getByRole('textbox', { name: 'Routing key' }).fill('user.signed-up');

  await page.getByLabel('Correlation id').fill('corr-42');
  await page.getByLabel('Message id').fill('msg-7');
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Headers 1 name').fill('tenant');
  await page.getByLabel('Headers 1 value').fill('acme');
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Headers 2 name').fill('attempt');
  await page.getByLabel('Headers 2 value').fill('3');
  await page.getByLabel('Headers 2 type').selectOption('number');
  await page.getByRole('textbox', { name: 'Payload' }).fill('{"user":"ada"}');
  await page.getByRole('button', { name: 'Publish message' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Published' })).toHaveText('Published to 1 queue(s): s9-audit.');

  const m = await received;
  expect(JSON.parse(m.content.toString())).toEqual({ user: 'ada' });
  expect(m.fields.routingKey).toBe('user.signed-up');
  expect(m.properties.correlationId).toBe('corr-42');
  expect(m.properties.messageId).toBe('msg-7');
  expect(m.properties.contentType).toBe('application/json');
  expect(m.properties.deliveryMode).toBe(2);
  expect(m.properties.headers).toMatchObject({ tenant: 'acme', attempt: 3 });

  // A bad header value is refused with a message saying what to do.
  await page.getByLabel('Headers 2 value').fill('three');
  await page.getByRole('button', { name: 'Publish message' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'header' })).toContainText('typed as a number');
  await page.screenshot({ path: 'e2e/screenshots/publish.png', fullPage: true });
  await conn.close();
});
