// Story 12: every list is the one table: the header stays over its columns
// when scrolled sideways at laptop widths, the name column stays in view, full
// names show on hover, the rows fill the window, columns can be hidden (and
// the choice is in the URL), rows are reached from the keyboard; every dialog
// is announced by its own title.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connect } from './helpers';

const LONG = 'billing.subscription-renewal-reminders-for-customers-in-region-eu-west';

/** Left edges and widths of the header cells and of the first row's cells, in pixels. */
async function columnEdges(page: Page) {
  return page.getByRole('table', { name: 'Queues' }).evaluate((table) => {
    const rows = table.querySelectorAll('[role=row]');
    const edges = (row: Element | undefined) =>
      [...(row?.querySelectorAll('[role=columnheader], [role=cell]') ?? [])]
        .map((c) => c.getBoundingClientRect())
        .map((r) => ({ left: r.left, width: r.width }));
    return {
      header: edges(rows[0]),
      first: edges(rows[1]),
      tableLeft: table.getBoundingClientRect().left,
      scrollLeft: table.scrollLeft,
      scrollWidth: table.scrollWidth,
      clientWidth: table.clientWidth,
    };
  });
}

test.describe('the queue table', () => {
  test.beforeAll(async ({ warren }) => {
    const conn = await connect(warren.amqpUrl, 'story12');
    const ch = await conn.createChannel();
    for (let i = 0; i < 40; i++) await ch.assertQueue(`${LONG}-${String(i).padStart(2, '0')}`, { durable: false });
    await conn.close();
  });

  for (const width of [1280, 1440]) {
    test(`at ${width} px the header stays aligned with its columns after a horizontal scroll`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto('/queues');
      const table = page.getByRole('table', { name: 'Queues' });
      await expect(table.getByRole('row').nth(1)).toContainText(LONG);

      const before = await columnEdges(page);
      expect(before.scrollWidth).toBeGreaterThan(before.clientWidth); // the table is wider than the window: there is something to scroll
      await table.evaluate((t) => (t.scrollLeft = 500));
      await expect.poll(async () => (await columnEdges(page)).scrollLeft).toBeGreaterThan(0);
      const after = await columnEdges(page);

      expect(after.header.length).toBe(after.first.length);
      after.header.forEach((h, i) => {
        expect(Math.abs(h.left - after.first[i]!.left), `column ${i + 1}`).toBeLessThan(1);
        expect(Math.abs(h.width - after.first[i]!.width), `column ${i + 1}`).toBeLessThan(1);
      });
      // The name column is pinned: it has not moved, the columns after it have.
      expect(after.header[0]!.left).toBeCloseTo(before.header[0]!.left, 0);
      expect(after.header[1]!.left).toBeLessThan(before.header[1]!.left);
      await expect(page.getByRole('columnheader', { name: 'Name' })).toBeInViewport();
    });
  }

  test('full names on hover and in the accessible name, rows to the bottom of the window', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/queues');
    const link = page.getByRole('link', { name: `${LONG}-03`, exact: true });
    await expect(link).toHaveAttribute('title', `${LONG}-03`);

    const table = page.getByRole('table', { name: 'Queues' });
    const box = (await table.boundingBox())!;
    // As many rows as the window holds: the table reaches down to the window's bottom (less the page's margin) and scrolls inside.
    expect(box.y + box.height).toBeGreaterThan(900 - 60);
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    const drawn = await table.getByRole('row').count();
    expect(drawn).toBeGreaterThan(Math.floor((900 - box.y) / 36) - 2);
    expect(drawn).toBeLessThan(41); // only what is on screen (plus a few) is drawn
  });

  test('low-value columns can be hidden, and the choice is kept in the URL', async ({ page }) => {
    await page.goto('/queues');
    await expect(page.getByRole('columnheader', { name: 'Features' })).toBeVisible();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Features' }).uncheck();
    await page.getByRole('checkbox', { name: 'Bytes' }).uncheck();
    await expect(page.getByRole('columnheader', { name: 'Features' })).toHaveCount(0);
    await expect(page).toHaveURL(/hide=features%2Cbytes|hide=features,bytes/);
    await page.reload();
    await expect(page.getByRole('columnheader', { name: 'Bytes' })).toHaveCount(0);
    await expect(page.getByRole('columnheader', { name: 'Ready' })).toBeVisible();
  });

  test('rows are reached with the arrow keys and Enter opens one', async ({ page }) => {
    // Only this story's queues: other stories' share the broker and would sort after them.
    await page.goto(`/queues?filter=${encodeURIComponent(LONG)}`);
    const rows = page.getByRole('table', { name: 'Queues' }).getByRole('row');
    await expect(rows.nth(1)).toContainText(`${LONG}-00`);
    await rows.nth(1).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(3)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(rows.nth(2)).toBeFocused();
    await page.keyboard.press('End');
    await expect(page.locator(':focus')).toContainText(`${LONG}-39`);
    await page.keyboard.press('Home');
    await expect(page.locator(':focus')).toContainText(`${LONG}-00`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: `Queue ${LONG}-01` })).toBeVisible();
  });
});

test('each dialog on the queue page is named by its own title', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story12-dialogs');
  const ch = await conn.createChannel();
  await ch.assertQueue('s12-dialogs');
  await ch.assertQueue('s12-elsewhere');
  await conn.close();
  await page.goto('/queue?vhost=%2F&name=s12-dialogs');
  await page.getByLabel('Move to queue').fill('s12-elsewhere');

  for (const [button, title] of [
    ['Purge…', 'Purge s12-dialogs?'],
    ['Delete…', 'Delete queue s12-dialogs?'],
    ['Move…', 'Move messages from s12-dialogs?'],
  ] as const) {
    await page.getByRole('button', { name: button, exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toHaveCount(1);
    await expect(dialog).toHaveAccessibleName(title);
    // Focus starts on Cancel and stays inside the dialog while tabbing.
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  }
});
