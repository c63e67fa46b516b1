// Story 8: on the routing page, drag from an exchange to a queue to bind it
// with a key, edit the key, delete the binding; test a routing key and see
// which bindings match and which queues would receive it; publish it and see
// those queues grow. Every binding change is checked through AMQP.
import type { Channel } from 'amqplib';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connect } from './helpers';

async function depth(ch: Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

/** Publishes one message through AMQP and says whether `queue` received it. */
async function reaches(ch: Channel, exchange: string, key: string, queue: string): Promise<boolean> {
  const before = await depth(ch, queue);
  ch.publish(exchange, key, Buffer.from('probe'));
  // A publish is routed before the broker answers the next method on the channel.
  return (await depth(ch, queue)) > before;
}

async function drag(page: Page, from: string, to: string) {
  const handle = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = (await handle.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

test('bind by dragging, edit and delete in place, test a route and publish it', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story8');
  const ch = await conn.createChannel();
  await ch.assertExchange('s8-shop', 'topic', { durable: false });
  await ch.assertQueue('s8-orders', { durable: false });
  await ch.assertQueue('s8-audit', { durable: false });
  await ch.assertQueue('s8-other', { durable: false });
  await ch.bindQueue('s8-audit', 's8-shop', 'order.#');
  try {
    await page.goto('/routing?search=s8-');
    const orders = page.locator('.react-flow__node[data-id="q:s8-orders"]');
    await expect(orders).toBeVisible();
    expect(await reaches(ch, 's8-shop', 'order.eu.paris', 's8-orders')).toBe(false);

    // Drag from the exchange to the queue and type the key.
    await drag(page, 'x:s8-shop', 'q:s8-orders');
    const dialog = page.getByRole('dialog', { name: 'New binding' });
    await expect(dialog).toContainText('s8-shop');
    await dialog.getByLabel('Routing key').fill('order.eu.*');
    await dialog.getByRole('button', { name: 'Bind' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('.react-flow__edge-text', { hasText: 'order.eu.*' })).toBeVisible();
    expect(await reaches(ch, 's8-shop', 'order.eu.paris', 's8-orders')).toBe(true);
    await page.screenshot({ path: 'e2e/screenshots/routing-bound.png', fullPage: true });

    // Click the edge and change its key.
    await page.locator('.react-flow__edge', { hasText: 'order.eu.*' }).locator('.react-flow__edge-textbg').click();
    const panel = page.getByRole('complementary', { name: 'Selected binding' });
    await expect(panel).toContainText('s8-orders');
    await panel.getByRole('button', { name: 'Edit…' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit binding' });
    await edit.getByLabel('Routing key').fill('order.us.*');
    await edit.getByRole('button', { name: 'Save binding' }).click();
    await expect(edit).toBeHidden();
    await expect(page.locator('.react-flow__edge-text', { hasText: 'order.us.*' })).toBeVisible();
    await expect(page.locator('.react-flow__edge-text', { hasText: 'order.eu.*' })).toHaveCount(0);
    expect(await reaches(ch, 's8-shop', 'order.eu.paris', 's8-orders')).toBe(false);
    expect(await reaches(ch, 's8-shop', 'order.us.boston', 's8-orders')).toBe(true);
    await panel.getByRole('button', { name: 'Close' }).click();

    // The tester: which bindings match, which queues would receive it.
    const tester = page.getByRole('form', { name: 'Test a route' });
    await tester.getByLabel('Exchange').selectOption('s8-shop');
    await tester.getByLabel('Routing key').fill('order.us.nyc');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await expect(page.getByRole('status', { name: 'Route result' })).toHaveText(/Would reach 2 queue\(s\)/);
    await expect(page.getByRole('status', { name: 'Route result' })).toContainText('s8-orders');
    await expect(page.getByRole('status', { name: 'Route result' })).toContainText('s8-audit');
    await expect(orders.locator('[data-reached="true"]')).toBeVisible();
    await expect(page.locator('.react-flow__node[data-id="q:s8-audit"] [data-reached="true"]')).toBeVisible();
    await expect(page.locator('.react-flow__node[data-id="q:s8-other"] [data-reached="true"]')).toHaveCount(0);
    await expect(page.locator('.edge-matched')).toHaveCount(2);
    const examined = page.getByRole('table', { name: 'Bindings examined' });
    await expect(examined.getByRole('row', { name: /s8-orders.*order\.us\.\*.*yes/ })).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/routing-tester.png', fullPage: true });

    // A key that only the audit binding matches says why the other did not.
    await tester.getByLabel('Routing key').fill('order.eu.rome');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await expect(page.getByRole('status', { name: 'Route result' })).toHaveText(/Would reach 1 queue\(s\): s8-audit$/);
    await expect(examined.getByRole('row', { name: /s8-orders.*no/ })).toBeVisible();

    // Publish what was tested (back to the us key) and see both queues grow.
    await tester.getByLabel('Routing key').fill('order.us.nyc');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await expect(page.getByRole('status', { name: 'Route result' })).toHaveText(/Would reach 2 queue/);
    const ordersBefore = await depth(ch, 's8-orders');
    const auditBefore = await depth(ch, 's8-audit');
    await page.getByRole('button', { name: 'Publish this' }).click();
    await expect(page.getByText(/Published: routed to 2 queue/)).toBeVisible();
    expect(await depth(ch, 's8-orders')).toBe(ordersBefore + 1);
    expect(await depth(ch, 's8-audit')).toBe(auditBefore + 1);
    expect(await depth(ch, 's8-other')).toBe(0);

    // Delete the binding from the keyboard-friendly list, after a confirmation.
    await page.getByRole('button', { name: 'Open binding from s8-shop to s8-orders with key order.us.*' }).click();
    await panel.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog', { name: 'Delete this binding?' }).getByRole('button', { name: 'Delete binding' }).click();
    await expect(page.locator('.react-flow__edge-text', { hasText: 'order.us.*' })).toHaveCount(0);
    expect(await reaches(ch, 's8-shop', 'order.us.boston', 's8-orders')).toBe(false);
    expect(await reaches(ch, 's8-shop', 'order.us.boston', 's8-audit')).toBe(true);
  } finally {
    await conn.close();
  }
});

test('exchange-to-exchange and headers bindings, alternate and dead-letter paths, from the drawing and the keyboard form', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story8-headers');
  const ch = await conn.createChannel();
  await ch.assertExchange('s8h-unrouted', 'fanout', { durable: false });
  await ch.assertExchange('s8h-in', 'topic', { durable: false, alternateExchange: 's8h-unrouted' });
  await ch.assertExchange('s8h-hdr', 'headers', { durable: false });
  await ch.assertQueue('s8h-gold', { durable: false });
  await ch.assertQueue('s8h-lost', { durable: false });
  await ch.bindQueue('s8h-lost', 's8h-unrouted', '');
  await ch.assertQueue('s8h-work', { durable: false, arguments: { 'x-dead-letter-exchange': 's8h-unrouted', 'x-retry-tiers': ['5s'] } });
  try {
    await page.goto('/routing?search=s8h-');
    // Alternate exchange, dead-letter and retry paths are drawn dashed.
    await expect(page.locator('.edge-special', { hasText: 'alternate' })).toHaveCount(1);
    await expect(page.locator('.edge-special', { hasText: 'dead letter' })).toHaveCount(1);
    await expect(page.locator('.react-flow__node[data-id="r:s8h-work"]')).toContainText('1 retry tier(s)');

    // Exchange to exchange, by dragging.
    await drag(page, 'x:s8h-in', 'x:s8h-hdr');
    const dialog = page.getByRole('dialog', { name: 'New binding' });
    await expect(dialog).toContainText('to exchange s8h-hdr');
    await dialog.getByLabel('Routing key').fill('vip.#');
    await dialog.getByRole('button', { name: 'Bind' }).click();
    await expect(dialog).toBeHidden();

    // Headers exchange to queue, from the keyboard form, with an argument row.
    const form = page.getByRole('form', { name: 'Add a binding' });
    await form.getByLabel('From exchange').selectOption('s8h-hdr');
    await form.getByLabel('To', { exact: true }).selectOption({ label: 's8h-gold' });
    await form.getByRole('button', { name: 'Bind…' }).click();
    await expect(dialog.getByLabel('Arguments 1 name')).toHaveValue('x-match');
    await dialog.getByRole('button', { name: 'Add argument' }).click();
    await dialog.getByLabel('Arguments 2 name').fill('tier');
    await dialog.getByLabel('Arguments 2 value').fill('gold');
    await dialog.getByRole('button', { name: 'Bind' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('table', { name: 'Bindings of this vhost' })).toContainText('tier=gold, x-match=all');

    // Through AMQP: a gold vip message goes in → hdr → gold; a silver one does not reach gold.
    const gold = async () => (await ch.checkQueue('s8h-gold')).messageCount;
    ch.publish('s8h-in', 'vip.1', Buffer.from('g'), { headers: { tier: 'gold' } });
    expect(await gold()).toBe(1);
    ch.publish('s8h-in', 'vip.2', Buffer.from('s'), { headers: { tier: 'silver' } });
    expect(await gold()).toBe(1);

    // The tester follows the exchange binding and explains the headers match.
    const tester = page.getByRole('form', { name: 'Test a route' });
    await tester.getByLabel('Exchange').selectOption('s8h-in');
    await tester.getByLabel('Routing key').fill('vip.3');
    await tester.getByRole('button', { name: 'Add header' }).click();
    await tester.getByLabel('Headers 1 name').fill('tier');
    await tester.getByLabel('Headers 1 value').fill('gold');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await expect(page.getByRole('status', { name: 'Route result' })).toHaveText('Would reach 1 queue(s): s8h-gold');
    await expect(page.locator('.react-flow__node[data-id="q:s8h-gold"] [data-reached="true"]')).toBeVisible();
    await expect(
      page.getByRole('table', { name: 'Bindings examined' }).getByRole('row', { name: /s8h-hdr via exchange binding.*s8h-gold.*yes/ }),
    ).toBeVisible();

    // A key nothing is bound for goes to the alternate exchange.
    await tester.getByLabel('Routing key').fill('misc');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await expect(page.getByRole('status', { name: 'Route result' })).toHaveText('Would reach 1 queue(s): s8h-lost');
    await expect(page.getByRole('table', { name: 'Bindings examined' })).toContainText('via alternate exchange');
    await page.screenshot({ path: 'e2e/screenshots/routing-headers.png', fullPage: true });
  } finally {
    await conn.close();
  }
});

test('with many queues the graph starts from groups, asks for a name past 300 nodes, and draws a neighbourhood', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story8-many');
  const ch = await conn.createChannel();
  await ch.assertExchange('s8m-hub', 'direct', { durable: false });
  for (let i = 0; i < 320; i++) {
    await ch.assertQueue(`s8m-q${i}`, { durable: false });
    if (i < 3) await ch.bindQueue(`s8m-q${i}`, 's8m-hub', `k${i}`);
  }
  try {
    await page.goto('/routing');
    // The 320 queues share the prefix s8m: one node stands for them.
    const group = page.locator('.react-flow__node[data-id="g:s8m"]');
    await expect(group).toContainText('320 queues');
    // Drawn one by one they are too many: the page asks for a name instead.
    await group.click();
    await expect(page.getByRole('status').filter({ hasText: 'too many to draw' })).toBeVisible();
    await page.getByRole('button', { name: 'Collapse s8m…' }).click();
    await expect(group).toBeVisible();
    await page.getByLabel('Show around').fill('s8m-hub');
    await expect(page).toHaveURL(/search=s8m-hub/);
    await expect(page.locator('.react-flow__node')).toHaveCount(4);
    await expect(page.locator('.react-flow__edge-text', { hasText: 'k2' })).toBeVisible();
  } finally {
    await conn.close();
  }
});
