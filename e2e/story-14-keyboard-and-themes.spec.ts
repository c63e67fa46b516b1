// Story 14: a keyboard user skips the navigation in one Tab; the theme is the
// reader's choice (light, dark or the system's) and stays after a reload; and
// axe-core finds no serious or critical problem on the console's pages in
// either theme.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connect } from './helpers';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: path.join(process.cwd(), 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v: AxeViolation) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

test('the first Tab reaches a skip link to the main content', async ({ page }) => {
  await page.goto('/queues');
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('the theme is chosen per user and kept after a reload', async ({ page }) => {
  await page.goto('/');
  const theme = page.getByLabel('Theme');
  await theme.selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.getByLabel('Theme')).toHaveValue('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core finds no serious violation on the console's pages (${scheme})`, async ({ page, warren }) => {
    test.setTimeout(120_000);
    const conn = await connect(warren.amqpUrl, 'story14');
    const ch = await conn.createChannel();
    await ch.assertQueue('s14-orders');
    ch.sendToQueue('s14-orders', Buffer.from('{"id":1}'));
    await page.emulateMedia({ colorScheme: scheme });
    const problems: string[] = [];
    try {
      for (const url of [
        '/',
        '/queues',
        '/queue?vhost=%2F&name=s14-orders',
        '/exchanges',
        '/policies',
        '/streams',
        '/retries',
        '/dead-letters',
        '/lag',
        '/alerts',
        '/connections',
        '/channels',
        '/publish',
        '/users',
        '/vhosts',
        '/permissions',
        '/admin',
        '/routing',
      ]) {
        await page.goto(url);
        await expect(page.locator('main h1').first()).toBeVisible();
        await page.waitForTimeout(300);
        for (const p of await seriousViolations(page)) problems.push(`${url}: ${p}`);
      }
    } finally {
      await conn.close();
    }
    expect(problems).toEqual([]);
  });
}
