// Story 1 (first part): the console opens on the overview with real figures
// from the running broker, and its live chart receives new points.
import { expect, signIn, startWarren, stopWarren, test } from './fixtures';
import { connect, figure, publishContinuously } from './helpers';

test('the console asks to sign in, refuses a wrong password, and lets guest in', async ({ browser, baseURL }) => {
  const page = await browser.newPage({ baseURL });
  await page.goto('/queues');
  await expect(page).toHaveURL(/\/login\?next=%2Fqueues/);
  await page.getByLabel('User name').fill('guest');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Sign-in' })).toHaveText('Sign-in refused: wrong user name or password.');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Console' })).toContainText('Signed in as guest');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.close();
});

test('the sign-in page has a tab icon and a web manifest, served without a session', async ({ browser, baseURL }) => {
  const page = await browser.newPage({ baseURL });
  await page.goto('/login');
  const icons = await page.locator('link[rel="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(icons.length).toBeGreaterThan(0);
  const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestUrl).not.toBeNull();
  const manifest = await page.request.get(manifestUrl!);
  expect(manifest.status()).toBe(200);
  const { name, icons: appIcons } = (await manifest.json()) as { name: string; icons: { src: string; type: string }[] };
  expect(name).toContain('Warren');
  for (const { src, type } of [...icons.map((src) => ({ src, type: 'image/' })), ...appIcons]) {
    const res = await page.request.get(src);
    expect(res.status(), src).toBe(200);
    expect(res.headers()['content-type'], src).toContain(type);
  }
  await page.close();
});

test('overview shows the broker and a live memory chart', async ({ page, warren }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();

  const broker = page.getByRole('definition');
  await expect(page.getByText('Version')).toBeVisible();
  await expect(broker.filter({ hasText: /^Warren \d+\.\d+\.\d+$/ })).toBeVisible();
  await expect(broker.filter({ hasText: process.version })).toBeVisible();
  await expect(broker.filter({ hasText: warren.amqpUrl.replace('amqp://', '') })).toBeVisible();
  await expect(broker.filter({ hasText: /^\d+(\.\d)? MiB$/ })).toBeVisible();

  // Uptime moves on without a reload.
  const uptime = figure(page, 'Uptime');
  const first = await uptime.textContent();
  await expect(uptime).not.toHaveText(first!, { timeout: 5_000 });

  // The chart keeps receiving a point a second over SSE.
  const chart = page.getByRole('figure', { name: 'Process memory' });
  await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
  const pointsNow = Number(await chart.getAttribute('data-points'));
  expect(pointsNow).toBeGreaterThan(0);
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5_000 }).toBeGreaterThan(pointsNow + 1);

  await page.screenshot({ path: 'e2e/screenshots/overview.png', fullPage: true });
});

test('overview charts the event-loop delay a second at a time', async ({ page }) => {
  await page.goto('/');
  const chart = page.getByRole('figure', { name: 'Event-loop delay' });
  await expect(chart.getByText('(ms)')).toBeVisible();
  for (const line of ['p50', 'p99', 'max']) await expect(chart.locator(`[data-series="${line}"]`)).toHaveText(/^\d+(\.\d)?$/);
  const pointsNow = Number(await chart.getAttribute('data-points'));
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5_000 }).toBeGreaterThan(pointsNow + 1);
});

test('overview counts a client and charts its messages live', async ({ page, warren }) => {
  await page.goto('/');
  const connections = figure(page, 'Connections');
  await expect(connections).toHaveText('0');
  // Other specs may have run first on this server: the client adds one queue to what is there.
  const queues = figure(page, 'Queues');
  await expect(queues).toHaveText(/^[\d,]+$/);
  const queuesBefore = Number((await queues.textContent())!.replace(/,/g, ''));

  const stop = await publishContinuously(warren.amqpUrl, 'story1-orders');
  try {
    await expect(connections).toHaveText('1');
    await expect(queues).toHaveText(String(queuesBefore + 1));
    const published = page.getByLabel('Message rates now').locator('[data-series="published"]');
    await expect.poll(async () => Number((await published.textContent())?.replace(/,/g, '')), { timeout: 10_000 }).toBeGreaterThan(5);
    const ready = page.getByLabel('Queued messages now').locator('[data-series="ready"]');
    await expect.poll(async () => Number((await ready.textContent())?.replace(/,/g, '')), { timeout: 10_000 }).toBeGreaterThan(10);
    await page.screenshot({ path: 'e2e/screenshots/overview-traffic.png', fullPage: true });
  } finally {
    await stop();
  }
  await expect(connections).toHaveText('0');
});

test('every page of the navigation opens', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Console' });
  for (const name of [
    'Queues',
    'Exchanges',
    'Routing',
    'Streams',
    'Retries',
    'Dead letters',
    'Scheduled',
    'Lag',
    'Alerts',
    'Connections',
    'Publish',
    'Admin',
  ]) {
    await nav.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(nav.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
  }
});

test('a disk alarm shows on the overview and blocks publishers', async ({ browser }) => {
  // A free-space limit no disk can meet raises the alarm at start.
  const running = await startWarren({ WARREN_DISK_FREE_LIMIT: '1000000GB' });
  try {
    const page = await browser.newPage({ baseURL: running.warren.consoleUrl });
    await signIn(page, running.warren.consoleUrl);
    await page.goto('/');
    await expect(page.getByRole('alert').filter({ hasText: 'Publishers are blocked' })).toContainText('disk alarm');
    await expect(figure(page, 'Alarms')).toHaveText('disk');

    const conn = await connect(running.warren.amqpUrl, 'blocked-publisher');
    const blocked = new Promise<string>((resolve) => conn.on('blocked', (reason: string) => resolve(reason)));
    const ch = await conn.createChannel();
    await ch.assertQueue('s1-blocked');
    ch.sendToQueue('s1-blocked', Buffer.from('waits'));
    expect(await blocked).toContain('disk');
    await page.close();
    // A blocked connection is not read from (as in RabbitMQ), so a clean close would wait for the alarm: drop the socket.
    // amqplib does not see a destroyed socket as closed: its heartbeat check reports a timeout two minutes
    // later, long after this test, so that expected error is taken here.
    conn.on('error', () => {});
    (conn.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
  } finally {
    await stopWarren(running);
  }
});
