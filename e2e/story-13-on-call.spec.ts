// Story 13: the on-call engineer trusts what the screen shows. When the broker
// cannot be reached the page says so at once and greys its figures; when it
// answers again the banner goes. (The console and the broker are one process:
// the browser going offline cuts it off the same way a stopped broker does.)
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('stale never looks live: a banner when the broker cannot be reached, gone when it answers', async ({ page, context, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story13');
  await (await conn.createChannel()).assertQueue('s13-orders');
  await conn.close();
  await page.goto('/');
  const figures = page.getByRole('definition').first();
  await expect(page.locator('.figure').first()).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Cannot reach the broker' })).toHaveCount(0);

  await context.setOffline(true);
  const started = Date.now();
  const banner = page.getByRole('alert').filter({ hasText: 'Cannot reach the broker' });
  await expect(banner).toBeVisible({ timeout: 3_000 });
  expect(Date.now() - started).toBeLessThan(3_000);
  await expect(banner).toContainText(/since \d\d:\d\d:\d\d/);
  await expect(banner).toContainText(/updated \d+s ago/);
  // The last figures stay, greyed; no raw fetch error anywhere.
  await expect(page.locator('.figures').first()).toHaveCSS('opacity', '0.55');
  await expect(figures).toBeVisible();
  await expect(page.getByText('Failed to fetch')).toHaveCount(0);

  await context.setOffline(false);
  await expect(banner).toHaveCount(0, { timeout: 5_000 });
  await expect(page.locator('.figures').first()).toHaveCSS('opacity', '1');

  // Every page says it, not only the overview.
  await page.goto('/queues?filter=s13-orders');
  await expect(page.getByRole('link', { name: 's13-orders' })).toBeVisible();
  await context.setOffline(true);
  await expect(banner).toBeVisible({ timeout: 3_000 });
  await expect(page.getByRole('table', { name: 'Queues' })).toHaveCSS('opacity', '0.55');
  await context.setOffline(false);
  await expect(banner).toHaveCount(0, { timeout: 5_000 });
});

test('unbind asks first, and adding, editing and removing a binding are in the audit log', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story13-bindings');
  const ch = await conn.createChannel();
  await ch.assertExchange('s13-shop', 'topic', { durable: false });
  await ch.assertQueue('s13-billing', { durable: false });
  try {
    // Add from the queue page.
    await page.goto('/queue?vhost=%2F&name=s13-billing');
    const form = page.getByRole('form', { name: 'Add binding' });
    await form.getByLabel('From exchange').selectOption('s13-shop');
    await form.getByLabel('Routing key').fill('invoice.*');
    await form.getByRole('button', { name: 'Bind' }).click();
    const bindings = page.getByRole('table', { name: 'Bindings' });
    await expect(bindings).toContainText('invoice.*');

    // Edit on the routing page: one change, old and new key.
    await page.goto('/routing?search=s13-');
    await page.getByRole('button', { name: 'Open binding from s13-shop to s13-billing with key invoice.*' }).click();
    await page.getByRole('complementary', { name: 'Selected binding' }).getByRole('button', { name: 'Edit…' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit binding' });
    await edit.getByLabel('Routing key').fill('invoice.paid');
    await edit.getByRole('button', { name: 'Save binding' }).click();
    await expect(edit).toBeHidden();

    // Unbind asks first; Cancel keeps it.
    await page.goto('/queue?vhost=%2F&name=s13-billing');
    await expect(bindings).toContainText('invoice.paid');
    await page.getByRole('button', { name: 'Unbind from s13-shop with key invoice.paid' }).click();
    const confirm = page.getByRole('dialog', { name: 'Unbind s13-billing from s13-shop?' });
    await expect(confirm).toContainText('invoice.paid');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toBeHidden();
    await expect(bindings).toContainText('invoice.paid');
    await page.getByRole('button', { name: 'Unbind from s13-shop with key invoice.paid' }).click();
    await confirm.getByRole('button', { name: 'Unbind' }).click();
    await expect(bindings).not.toContainText('invoice.paid');

    await page.goto('/admin');
    const audit = page.getByRole('table', { name: 'Audit log' });
    await expect(audit.getByRole('row', { name: /binding\.add.*s13-shop.*s13-billing/ })).toHaveCount(1);
    await expect(audit.getByRole('row', { name: /binding\.update.*s13-shop.*s13-billing/ })).toContainText('"oldKey":"invoice.*","newKey":"invoice.paid"');
    await expect(audit.getByRole('row', { name: /binding\.remove.*s13-shop.*s13-billing/ })).toContainText("key 'invoice.paid'");
  } finally {
    await conn.close();
  }
});

test('a missing queue is said once, with close names, and is not asked for again; unknown pages get a 404', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story13-missing');
  await (await conn.createChannel()).assertQueue('s13-orders.process');
  await conn.close();
  const asked: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('queues.get')) asked.push(r.url());
  });
  await page.goto('/queue?vhost=%2F&name=s13-orders.proccess');
  const missing = page.getByRole('status', { name: 'Queue not found' });
  await expect(missing).toContainText("Queue 's13-orders.proccess' does not exist in vhost /.");
  await expect(missing.getByRole('link', { name: 's13-orders.process' })).toBeVisible();
  await expect(missing.getByRole('link', { name: 'Back to the queue list' })).toHaveAttribute('href', '/queues');
  const after = asked.length;
  await page.waitForTimeout(3_000);
  expect(asked.length).toBe(after);
  expect(after).toBe(1);
  await expect(page.getByText('does not exist')).toHaveCount(1);

  await missing.getByRole('link', { name: 's13-orders.process' }).click();
  await expect(page.getByRole('heading', { name: 'Queue s13-orders.process' })).toBeVisible();

  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});
