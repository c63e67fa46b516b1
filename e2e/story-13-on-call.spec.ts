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
  await page.goto('/queues');
  await expect(page.getByRole('link', { name: 's13-orders' })).toBeVisible();
  await context.setOffline(true);
  await expect(banner).toBeVisible({ timeout: 3_000 });
  await expect(page.getByRole('table', { name: 'Queues' })).toHaveCSS('opacity', '0.55');
  await context.setOffline(false);
  await expect(banner).toHaveCount(0, { timeout: 5_000 });
});
