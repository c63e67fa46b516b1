// Story 5: a consumer rejects messages of a queue declared with x-retry-tiers;
// the retries page shows them moving through each tier with counts and next
// due times, and those that fail every tier land in the dead-letter queue.
import { expect, test } from './fixtures';
import { connect } from './helpers';

test('rejected messages move through the retry tiers and the last failures land in the DLQ', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story5');
  const ch = await conn.createChannel();
  await ch.assertQueue('s5-work', { durable: false, arguments: { 'x-retry-tiers': ['4s', '6s'] } });
  // The consumer: messages marked "flaky" succeed on their first retry; "broken" ones always fail.
  const handled: string[] = [];
  await ch.prefetch(20);
  await ch.consume('s5-work', (m) => {
    if (!m) return;
    const body = m.content.toString();
    const attempt = Number(m.properties.headers?.['x-retry-attempt'] ?? 0);
    if (body.startsWith('flaky') && attempt >= 1) {
      handled.push(body);
      ch.ack(m);
    } else ch.nack(m, false, false);
  });
  try {
    await page.goto('/retries');
    const pipeline = page.getByRole('region', { name: 'Retry pipeline of s5-work' });
    await expect(pipeline).toBeVisible();
    const tier1 = pipeline.getByRole('listitem', { name: 'Tier 1 of s5-work' });
    const tier2 = pipeline.getByRole('listitem', { name: 'Tier 2 of s5-work' });
    const dlq = pipeline.getByRole('listitem', { name: 'Dead letters of s5-work' });
    await expect(tier1).toContainText('4s');
    await expect(tier2).toContainText('6s');
    await expect(dlq).toContainText('s5-work.dlq');
    await expect(dlq.locator('[data-field="ready"]')).toHaveText('0');

    for (let i = 0; i < 4; i++) ch.sendToQueue('s5-work', Buffer.from(`flaky-${i}`));
    for (let i = 0; i < 6; i++) ch.sendToQueue('s5-work', Buffer.from(`broken-${i}`));

    // All ten failed once: they wait in tier 1, due within 4 s.
    await expect(tier1.locator('[data-field="count"]')).toHaveText('10');
    await expect(tier1.locator('[data-field="next-due"]')).toHaveText(/^in \ds/);
    await page.getByRole('button', { name: 'Browse tier 1' }).click();
    const held = page.getByRole('region', { name: 'Messages held in tier 1 of s5-work' });
    await expect(held.getByText(/Attempt 1, held since/)).toHaveCount(10);
    await page.screenshot({ path: 'e2e/screenshots/retries-tier1.png', fullPage: true });

    // After 4 s they return: the flaky ones succeed, the six broken ones fail again into tier 2.
    await expect(tier2.locator('[data-field="count"]')).toHaveText('6', { timeout: 15_000 });
    await expect(tier1.locator('[data-field="count"]')).toHaveText('0');
    expect(handled.sort()).toEqual(['flaky-0', 'flaky-1', 'flaky-2', 'flaky-3']);
    await expect(tier2.locator('[data-field="next-due"]')).toHaveText(/^in \ds/);
    await page.screenshot({ path: 'e2e/screenshots/retries-tier2.png', fullPage: true });

    // After the last tier they land in the dead-letter queue.
    await expect(dlq.locator('[data-field="ready"]')).toHaveText('6', { timeout: 20_000 });
    await expect(tier2.locator('[data-field="count"]')).toHaveText('0');
    expect((await ch.checkQueue('s5-work.dlq')).messageCount).toBe(6);
    await page.screenshot({ path: 'e2e/screenshots/retries-dlq.png', fullPage: true });
  } finally {
    await conn.close();
  }
});

test('a policy set in the console gives a declared queue retry tiers, shown on its page and in the pipeline', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story5-policy');
  const ch = await conn.createChannel();
  // Declared by an application that knows nothing of retries.
  await ch.assertQueue('s5p-payments', { durable: false });
  try {
    await page.goto('/policies');
    await expect(page.getByText('No policies in vhost / yet')).toBeVisible();
    const form = page.getByRole('form', { name: 'Add or update a policy' });
    await form.getByLabel('Name').fill('payments-retry');
    await form.getByLabel('Pattern (regular expression)').fill('^s5p-');
    await form.getByLabel('Key 1', { exact: true }).selectOption('retry-tiers');
    await form.getByLabel('Value 1').fill('3s, 1h');
    // A bad value is refused with what is wrong, and the form keeps what was typed.
    await form.getByRole('button', { name: 'Add key' }).click();
    await form.getByLabel('Key 2', { exact: true }).selectOption('max-length');
    await form.getByLabel('Value 2').fill('-5');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await expect(form.getByRole('alert')).toContainText("invalid value -5 for 'max-length'");
    await form.getByRole('button', { name: 'Remove key 2' }).click();
    await form.getByRole('button', { name: 'Save policy' }).click();

    const row = page.getByRole('table', { name: 'Policies' }).getByRole('row', { name: /payments-retry/ });
    await expect(row).toContainText('retry-tiers: 3s, 1h');
    // It applies to the work queue and to the dead-letter queue declared beside it.
    await expect(row.getByRole('cell').nth(5)).toHaveText('2');
    expect((await ch.checkQueue('s5p-payments.dlq')).messageCount).toBe(0);
    await page.screenshot({ path: 'e2e/screenshots/policies.png', fullPage: true });

    await page.goto(`/queue?vhost=${encodeURIComponent('/')}&name=s5p-payments`);
    await expect(page.getByText('Effective policy: payments-retry')).toBeVisible();
    const args = page.getByRole('table', { name: 'Arguments' });
    await expect(args.getByRole('row', { name: /x-retry-tiers/ })).toContainText('3s');
    await page.screenshot({ path: 'e2e/screenshots/queue-policy.png', fullPage: true });

    // A failing message now takes the policy's first tier, and comes back after it.
    ch.sendToQueue('s5p-payments', Buffer.from('charge-42'));
    const first = await ch.get('s5p-payments');
    if (!first) throw new Error('the message did not arrive');
    ch.nack(first, false, false);
    await page.goto('/retries');
    const pipeline = page.getByRole('region', { name: 'Retry pipeline of s5p-payments' });
    await expect(pipeline).toContainText('tiers set by policy payments-retry');
    const tier1 = pipeline.getByRole('listitem', { name: 'Tier 1 of s5p-payments' });
    await expect(tier1.locator('[data-field="count"]')).toHaveText('1');
    await expect(tier1.locator('[data-field="count"]')).toHaveText('0', { timeout: 10_000 });
    const back = await ch.get('s5p-payments');
    expect(back && back.properties.headers?.['x-retry-attempt']).toBe(1);
    await page.screenshot({ path: 'e2e/screenshots/policies-retry.png', fullPage: true });

    // The audit log records who set it.
    await page.goto('/admin');
    await expect(page.getByRole('table', { name: /audit/i })).toContainText('policy.create');
  } finally {
    await conn.close();
  }
});
