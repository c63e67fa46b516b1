// Story 11: access. A monitoring user sees queues but cannot purge them (no
// button, and the server refuses a forced call); a management user sees only
// the vhost it has a permission on; a deleted user is signed out; an
// administrator manages users from the console with the keyboard.
import type { APIRequestContext, Browser } from '@playwright/test';
import amqp from 'amqplib';
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

/** Calls a console mutation as the signed-in user of `request`; returns the HTTP status and the error message, if any. */
async function call(request: APIRequestContext, baseURL: string, path: string, data: unknown) {
  const res = await request.post(`${baseURL}/api/trpc/${path}`, { data });
  const body = (await res.json()) as { error?: { message: string } };
  return { status: res.status(), message: body.error?.message ?? '' };
}

async function mustCall(request: APIRequestContext, baseURL: string, path: string, data: unknown) {
  const result = await call(request, baseURL, path, data);
  if (result.status !== 200) throw new Error(`${path} failed: ${result.status} ${result.message}`);
}

/** A browser page signed in through the sign-in form, with the keyboard. */
async function signedInPage(browser: Browser, baseURL: string, name: string, password: string) {
  const page = await browser.newPage({ baseURL });
  await page.goto('/login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('navigation', { name: 'Console' })).toContainText(`Signed in as ${name}`);
  return page;
}

test('a monitoring user sees a queue but no purge button, and the server refuses a forced purge', async ({ page, browser, baseURL, warren }) => {
  await mustCall(page.request, baseURL!, 'users.create', { name: 'watcher', password: 'watch-pw', tags: ['monitoring'] });
  const conn = await connect(warren.amqpUrl, 'story11');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s11-orders');
  for (let i = 0; i < 5; i++) ch.sendToQueue('s11-orders', Buffer.from(`order ${i}`));
  await ch.waitForConfirms();

  const watcher = await signedInPage(browser, baseURL!, 'watcher', 'watch-pw');
  await watcher.goto('/queues');
  await expect(watcher.getByRole('link', { name: 's11-orders' })).toBeVisible();
  await watcher.goto('/queue?vhost=%2F&name=s11-orders');
  await expect(figure(watcher, 'Ready')).toHaveText('5');
  await expect(watcher.getByRole('button', { name: 'Browse' })).toBeVisible();
  await expect(watcher.getByRole('button', { name: 'Purge…' })).toHaveCount(0);
  await expect(watcher.getByText('Read-only')).toBeVisible();
  // No Users page in the navigation for a non-administrator.
  await expect(watcher.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

  const forced = await call(watcher.request, baseURL!, 'queues.purge', { vhost: '/', name: 's11-orders' });
  expect(forced.status).toBe(403);
  expect(forced.message).toContain("User 'watcher' may only look (monitoring)");
  expect((await ch.checkQueue('s11-orders')).messageCount).toBe(5);

  // Other pages' change controls are disabled too, saying why; the server refuses them anyway.
  await watcher.goto('/exchanges');
  await expect(watcher.getByRole('button', { name: 'Declare exchange' })).toBeDisabled();
  await watcher.goto('/publish');
  await expect(watcher.getByRole('button', { name: /^Publish/ })).toBeDisabled();
  await watcher.goto('/connections');
  await expect(watcher.getByRole('button', { name: /^Close connection/ }).first()).toBeDisabled();
  await watcher.close();
  await conn.close();
});

test('a management user sees only the vhost it has a permission on', async ({ page, browser, baseURL, warren }) => {
  await mustCall(page.request, baseURL!, 'vhosts.create', { name: '/team' });
  await mustCall(page.request, baseURL!, 'users.create', { name: 'teamdev', password: 'team-pw', tags: ['management'] });
  await mustCall(page.request, baseURL!, 'permissions.set', { user: 'teamdev', vhost: '/team', configure: '.*', write: '.*', read: '.*' });

  // teamdev's application declares its queue over AMQP in its vhost; guest's lives in '/'.
  const port = new URL(warren.amqpUrl).port;
  const team = await amqp.connect(`amqp://teamdev:team-pw@127.0.0.1:${port}/%2Fteam`);
  const teamCh = await team.createChannel();
  await teamCh.assertQueue('s11-team-jobs');
  const guest = await connect(warren.amqpUrl, 'story11-guest');
  const guestCh = await guest.createChannel();
  await guestCh.assertQueue('s11-private');

  const dev = await signedInPage(browser, baseURL!, 'teamdev', 'team-pw');
  await dev.goto('/queues');
  await expect(dev.getByRole('link', { name: 's11-team-jobs' })).toBeVisible();
  await expect(dev.getByRole('link', { name: 's11-private' })).toHaveCount(0);
  await expect(dev.getByRole('link', { name: 's11-orders' })).toHaveCount(0);
  const other = await call(dev.request, baseURL!, 'queues.purge', { vhost: '/', name: 's11-private' });
  expect(other.status).toBe(403);
  expect(other.message).toContain("no permission on vhost '/'");
  // In its own vhost it may act: the purge button is there.
  await dev.goto('/queue?vhost=%2Fteam&name=s11-team-jobs');
  await expect(dev.getByRole('button', { name: 'Purge…' })).toBeVisible();
  await dev.close();
  await team.close();
  await guest.close();
});

test('a deleted user is signed out of the console and its AMQP connection is closed', async ({ page, browser, baseURL, warren }) => {
  await mustCall(page.request, baseURL!, 'users.create', { name: 'leaving', password: 'leave-pw', tags: ['monitoring'] });
  await mustCall(page.request, baseURL!, 'permissions.set', { user: 'leaving', vhost: '/', configure: '.*', write: '.*', read: '.*' });
  const port = new URL(warren.amqpUrl).port;
  const conn = await amqp.connect(`amqp://leaving:leave-pw@127.0.0.1:${port}`);
  conn.on('error', () => {});
  const closed = new Promise<Error & { code?: number }>((resolve) => conn.on('close', resolve));
  const leaving = await signedInPage(browser, baseURL!, 'leaving', 'leave-pw');
  await leaving.goto('/queues');

  // The administrator deletes the user from the Users page.
  await page.goto('/users');
  await page.getByRole('button', { name: 'Delete user leaving' }).click();
  await page.getByRole('dialog', { name: 'Delete user leaving?' }).getByRole('button', { name: 'Delete user' }).click();
  await expect(page.getByRole('table', { name: 'Users' })).not.toContainText('leaving');

  await expect(leaving).toHaveURL(/\/login/, { timeout: 15_000 });
  const error = await closed;
  expect(error.code).toBe(320);
  expect(error.message).toContain("user 'leaving' is deleted");
  await leaving.close();
});

test('an administrator adds a user with the keyboard, is told a taken name, and tests a permission pattern', async ({ page }) => {
  await page.goto('/users');
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Name').fill('ops-bot');
  await form.getByLabel('Password').fill('bot-pw');
  await form.getByLabel('management').check();
  await form.getByLabel('Password').press('Enter');
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row', { name: /ops-bot/ })).toBeVisible();

  await form.getByLabel('Name').fill('ops-bot');
  await form.getByLabel('Password').fill('other');
  await form.getByLabel('Password').press('Enter');
  await expect(form.getByRole('alert')).toHaveText("A user named 'ops-bot' exists already: choose another name, or edit that user.");

  await page.goto('/permissions');
  const set = page.getByRole('form', { name: 'Set a permission' });
  await set.getByLabel('configure pattern').fill('^orders\\.');
  await set.getByLabel('read pattern').fill('');
  await set.getByLabel('Queue or exchange name').fill('orders.eu');
  const allowed = set.getByRole('list', { name: 'Operations allowed' });
  await expect(allowed).toContainText('configure matches');
  await expect(allowed).toContainText('read does not match');
  await set.getByLabel('configure pattern').fill('(');
  await expect(set.getByRole('alert')).toContainText("configure permission pattern '(' at position 1: the group opened here is not closed");
  await page.screenshot({ path: 'e2e/screenshots/permissions.png', fullPage: true });
});
