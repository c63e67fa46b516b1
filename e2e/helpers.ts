/** Real AMQP clients for the stories: amqplib against the Warren under test. */
import type { Page } from '@playwright/test';
import amqp from 'amqplib';

export async function connect(url: string, name = 'e2e-client') {
  return amqp.connect(url.replace('amqp://', 'amqp://guest:guest@'), { clientProperties: { connection_name: name } });
}

/** Publishes to `queue` every `everyMs` until stopped; returns a stop function. */
export async function publishContinuously(url: string, queue: string, everyMs = 20) {
  const conn = await connect(url, 'e2e-publisher');
  const ch = await conn.createChannel();
  await ch.assertQueue(queue);
  let n = 0;
  const timer = setInterval(() => ch.sendToQueue(queue, Buffer.from(JSON.stringify({ n: n++ }))), everyMs);
  return async () => {
    clearInterval(timer);
    await conn.close();
  };
}

/** The value of the figure card labelled exactly `label` (e.g. "Ready", not "Bytes ready"). */
export function figure(page: Page, label: string) {
  return page
    .locator('.figure')
    .filter({ has: page.locator('dt').getByText(label, { exact: true }) })
    .locator('dd');
}
