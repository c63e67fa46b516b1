// Story 15: the on-call engineer sets an alert on a queue that must not back
// up. The rule is made in the console, with the keyboard; amqplib traffic
// makes it fire; the overview and the queue's page say so, the webhook
// receiver (started here) gets it signed; draining the queue recovers it.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connect } from './helpers';

const SECRET = 'story-15-webhook-secret';

/** Deletes an alert rule from the Alerts page's table, confirming when asked, and sees its row go. */
async function deleteRule(page: Page, rules: Locator, rule: string): Promise<void> {
  await rules.getByRole('button', { name: `Delete rule ${rule}` }).click();
  await page
    .getByRole('dialog', { name: `Delete alert rule ${rule}?` })
    .getByRole('button', { name: 'Delete rule' })
    .click();
  await expect(rules.getByRole('row').filter({ hasText: rule })).toHaveCount(0);
}

test('an alert rule made in the console fires on a growing queue, shows where the queue is shown, and recovers', async ({ page, warren }) => {
  test.setTimeout(90_000);
  const queue = `s15-orders-${Date.now()}`;
  const rule = `s15 backlog ${Date.now()}`;
  const received: { event: string; valid: boolean; body: { event: string; object: { name: string }; value: number } }[] = [];
  const receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const valid = req.headers['x-warren-signature'] === `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      received.push({ event: String(req.headers['x-warren-event']), valid, body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/warren`;
  const conn = await connect(warren.amqpUrl, 'story15');
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false });
  try {
    await page.goto('/alerts');
    await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();

    // A webhook first, so the rule can send to it.
    const hookForm = page.getByRole('form', { name: 'Add a webhook' });
    await hookForm.getByLabel('Name').fill(`${rule} hook`);
    await hookForm.getByLabel('Address').fill(hookUrl);
    await hookForm.getByLabel(/^Secret/).fill('short');
    await hookForm.getByLabel(/^Secret/).press('Enter');
    await expect(hookForm.getByRole('alert')).toHaveText('Give the webhook a secret of at least 16 characters: the receiver checks signatures with it.');
    await hookForm.getByLabel(/^Secret/).fill(SECRET);
    await hookForm.getByLabel(/^Secret/).press('Enter');
    await expect(page.getByRole('table', { name: 'Webhooks' })).toContainText(hookUrl);

    // The rule, typed and submitted from the keyboard; a bad pattern is explained first.
    const form = page.getByRole('form', { name: 'Add an alert rule' });
    await form.getByLabel('Name').fill(rule);
    await form.getByLabel('Condition').selectOption({ label: 'Queue depth above N messages' });
    await form.getByLabel('Queue pattern (regular expression)').fill(`^${queue}(`);
    await form.getByLabel(/^Threshold/).fill('50');
    await form.getByLabel(/^Webhook/).selectOption({ label: `${rule} hook` });
    await form.getByLabel(/^Threshold/).press('Enter');
    await expect(form.getByRole('alert')).toContainText('the group opened here is not closed');
    await form.getByLabel('Queue pattern (regular expression)').fill(`^${queue}$`);
    await form.getByLabel('Queue pattern (regular expression)').press('Enter');
    const rules = page.getByRole('table', { name: 'Alert rules' });
    await expect(rules.getByRole('row').filter({ hasText: rule })).toContainText('Queue depth above N messages');
    await expect(form.getByLabel('Name')).toHaveValue('');

    // Edit takes the keyboard to the form; Enter saves the change.
    await rules.getByRole('button', { name: `Edit rule ${rule}` }).click();
    const editForm = page.getByRole('form', { name: `Edit alert rule ${rule}` });
    await expect(editForm.getByLabel('Name')).toBeFocused();
    await editForm.getByLabel(/^Threshold/).fill('5');
    await editForm.getByLabel(/^Threshold/).press('Enter');
    await expect(rules.getByRole('row').filter({ hasText: rule }).getByRole('cell').nth(4)).toHaveText('5');
    await expect(page.getByRole('form', { name: 'Add an alert rule' })).toBeVisible();

    // Traffic past the threshold: the overview and the queue's page say it fires.
    for (let i = 0; i < 8; i++) ch.sendToQueue(queue, Buffer.from(`order ${i}`));
    await page.goto('/');
    const banner = page.getByRole('alert', { name: 'Firing alerts' });
    await expect(banner.getByRole('listitem').filter({ hasText: rule })).toContainText(`queue '${queue}' in vhost '/': depth 8 above 5 messages`, {
      timeout: 15_000,
    });
    await banner.getByRole('link', { name: new RegExp(`queue '${queue}'`) }).click();
    await expect(page.getByRole('heading', { name: `Queue ${queue}` })).toBeVisible();
    await expect(page.getByRole('alert', { name: 'Firing alerts' })).toContainText(rule);
    expect(received.filter((r) => r.event === 'alert.fired' && r.body.object.name === queue)).toMatchObject([{ valid: true, body: { value: 8 } }]);

    // The depth chart also reaches back a day from the history.
    const depth = page.getByRole('figure', { name: 'Depth' });
    await depth.getByRole('button', { name: '24 h' }).click();
    await expect(depth).toHaveAttribute('data-range', '24h');
    await expect(depth.getByText('History not available')).toHaveCount(0);

    // Draining the queue recovers the alert: the banner goes, the record says when, the receiver is told.
    await ch.purgeQueue(queue);
    await expect(page.getByRole('alert', { name: 'Firing alerts' })).toHaveCount(0, { timeout: 15_000 });
    await page.goto('/alerts');
    const recorded = page.getByRole('table', { name: 'Recorded alerts' }).getByRole('row').filter({ hasText: rule });
    await expect(recorded).toHaveCount(1);
    await expect(recorded).not.toContainText('firing');
    await expect.poll(() => received.filter((r) => r.event === 'alert.recovered' && r.body.object.name === queue && r.valid).length).toBe(1);
    await expect(
      page
        .getByRole('table', { name: 'Webhooks' })
        .getByRole('row')
        .filter({ hasText: `${rule} hook` }),
    ).toContainText('delivered (HTTP 204)');

    // Delete the rule (it asks first), then its webhook.
    await deleteRule(page, rules, rule);
    await page.getByRole('button', { name: `Delete webhook ${rule} hook` }).click();
    await page
      .getByRole('dialog', { name: `Delete webhook ${rule} hook?` })
      .getByRole('button', { name: 'Delete webhook' })
      .click();
    await expect(page.getByRole('button', { name: `Delete webhook ${rule} hook` })).toHaveCount(0);
  } finally {
    await conn.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('a lagging stream group fires a rule on the stream page, whose lag chart reaches back an hour', async ({ page, warren }) => {
  const stream = `s15-events-${Date.now()}`;
  const rule = `s15 lag ${Date.now()}`;
  const conn = await connect(warren.amqpUrl, 'story15-stream');
  const ch = await conn.createChannel();
  await ch.assertQueue(stream, { durable: true, arguments: { 'x-queue-type': 'stream' } });
  for (let i = 0; i < 40; i++) ch.sendToQueue(stream, Buffer.from(`event ${i}`));
  // A group that takes one message and never acknowledges it: its lag stays near 40.
  const slow = await conn.createChannel();
  await slow.prefetch(1);
  await slow.consume(stream, () => {}, { arguments: { 'x-stream-group': 'stuck', 'x-stream-offset': 'first' } });
  try {
    await page.goto('/alerts');
    const form = page.getByRole('form', { name: 'Add an alert rule' });
    await form.getByLabel('Name').fill(rule);
    await form.getByLabel('Condition').selectOption({ label: 'Stream group lag above N messages' });
    await form.getByLabel('Stream pattern (regular expression)').fill(`^${stream}$`);
    await form.getByLabel(/^Threshold/).fill('10');
    await form.getByLabel(/^Threshold/).press('Enter');
    await expect(page.getByRole('table', { name: 'Alert rules' }).getByRole('row').filter({ hasText: rule })).toBeVisible();

    await page.goto(`/streams/view?vhost=%2F&name=${stream}`);
    await expect(page.getByRole('alert', { name: 'Firing alerts' })).toContainText(`${rule}: group 'stuck' of stream '${stream}' in vhost '/': lag`, {
      timeout: 15_000,
    });
    const lag = page.getByRole('figure', { name: 'Lag in messages' });
    await lag.getByRole('button', { name: '1 h' }).click();
    await expect(lag).toHaveAttribute('data-range', '1h');
    await expect.poll(async () => Number(await lag.getAttribute('data-points'))).toBeGreaterThan(0);
    await expect(lag.getByText('History not available')).toHaveCount(0);

    await page.goto('/alerts');
    const rules = page.getByRole('table', { name: 'Alert rules' });
    await deleteRule(page, rules, rule);
    // A deleted rule stops firing at once.
    await expect(page.getByText('No alert is firing.')).toBeVisible();
  } finally {
    await conn.close();
  }
});
