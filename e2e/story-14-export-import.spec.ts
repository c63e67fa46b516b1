// Story 14, moving messages between queues by file: export a queue's
// messages as JSON lines from its page (they stay in the queue), import the
// file into another queue with progress, and see an import with a bad line
// stop there, saying which line, with nothing past it imported.
import fs from 'node:fs';
import { expect, test } from './fixtures';
import { connect, figure } from './helpers';

test('export a queue as JSON lines and import the file into another queue', async ({ page, warren }) => {
  const conn = await connect(warren.amqpUrl, 'story14');
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('s14-source');
  await ch.assertQueue('s14-replay');
  for (let i = 1; i <= 3; i++) ch.sendToQueue('s14-source', Buffer.from(JSON.stringify({ order: i })), { messageId: `s14-${i}`, headers: { tenant: 'acme' } });
  ch.sendToQueue('s14-source', Buffer.from([0xff, 0x00, 0xfe]), { messageId: 's14-binary' });
  await ch.waitForConfirms();

  await page.goto('/queue?vhost=%2F&name=s14-source');
  await expect(figure(page, 'Ready')).toHaveText('4');
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export all messages' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('s14-source.jsonl');
  const file = fs.readFileSync((await download.path())!, 'utf8');
  const lines = file
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.properties.messageId)).toEqual(['s14-1', 's14-2', 's14-3', 's14-binary']);
  expect(lines[3]).toMatchObject({ encoding: 'base64', body: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') });
  await expect(figure(page, 'Ready')).toHaveText('4');

  await page.goto('/queue?vhost=%2F&name=s14-replay');
  const importForm = page.getByRole('form', { name: 'Import messages into this queue' });
  await importForm.getByLabel('JSON-lines file').setInputFiles({ name: 's14-source.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
  await importForm.getByRole('button', { name: 'Import messages' }).click();
  await expect(importForm.getByRole('status', { name: 'Import progress' })).toContainText('4 message(s) imported');
  await expect(importForm.getByText('Imported 4 message(s) from 4 line(s).')).toBeVisible();
  await expect(figure(page, 'Ready')).toHaveText('4');
  const got = await ch.get('s14-replay', { noAck: true });
  expect(got && got.properties.messageId).toBe('s14-1');
  expect(got && got.properties.headers).toMatchObject({ tenant: 'acme' });

  // A file with a bad second line: the first is imported, nothing after it, and the alert says which line.
  const bad = ['{"body":"first"}', '{"body": nope}', '{"body":"third"}'].join('\n');
  await importForm.getByLabel('JSON-lines file').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
  await importForm.getByRole('button', { name: 'Import messages' }).click();
  await expect(importForm.getByRole('alert')).toContainText(/^line 2: not JSON .*the 1 message\(s\) before it were imported, nothing after it/);
  await expect(figure(page, 'Ready')).toHaveText('4');
  // Skipping bad lines imports the others.
  await importForm.getByLabel('Skip bad lines').check();
  await importForm.getByRole('button', { name: 'Import messages' }).click();
  await expect(importForm.getByText('Imported 2 message(s) from 3 line(s); 1 bad line(s) skipped.')).toBeVisible();
  await expect(figure(page, 'Ready')).toHaveText('6');
  await conn.close();
});
