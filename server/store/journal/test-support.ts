// Helpers shared by the journal's tests: real files in a fresh temp directory.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Message } from '../../broker/message';
import { RECORD_FRAME_BYTES, RecordType, SEGMENT_HEADER_BYTES } from './format';
import { Journal, type JournalOptions } from './journal';
import type { RecoveredMessage, RecoveredQueue, Recovery } from './replay';

const openJournals = new Set<Journal>();
const tempDirs: string[] = [];

afterEach(async () => {
  for (const journal of openJournals) await journal.close().catch(() => {});
  openJournals.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh journal directory, removed after the test. */
export function tempJournalDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-journal-'));
  tempDirs.push(dir);
  return join(dir, 'journal');
}

export function openJournal(dir: string, options?: JournalOptions): { journal: Journal; recovery: Recovery } {
  const opened = Journal.open(dir, options);
  openJournals.add(opened.journal);
  return opened;
}

/** Closes the journal (syncing what is left) and replays the directory again. */
export async function reopen(journal: Journal, dir: string, options?: JournalOptions): Promise<{ journal: Journal; recovery: Recovery }> {
  await journal.close();
  openJournals.delete(journal);
  return openJournal(dir, options);
}

export function flushed(journal: Journal): Promise<void> {
  return new Promise((resolve, reject) => journal.flush((error) => (error ? reject(error) : resolve())));
}

/** A persistent message whose body says its id, padded to `size` bytes. */
export function persistentMessage(id: number, size = 32, headers?: Record<string, unknown>): Message {
  const body = Buffer.alloc(size, '.');
  body.write(`message ${id}`);
  return new Message(id, 'ex', `key.${id}`, { deliveryMode: 2, headers }, body);
}

/** Recovered queue contents as `vhost:queue` → [seq, body text] pairs. */
export function contents(recovery: Recovery): Record<string, [number, string][]> {
  const out: Record<string, [number, string][]> = {};
  for (const queue of recovery.queues) {
    out[`${queue.vhost}:${queue.name}`] = listed(queue).map(({ seq, message }) => [seq, message.body.toString().replace(/\.+$/, '')]);
  }
  return out;
}

export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.seg'))
    .sort();
}

export interface RecordSpan {
  start: number;
  end: number;
  type: number;
  /** The message a MESSAGE or ENQUEUE record is about; for a REMOVE its seq; otherwise -1. */
  messageId: number;
}

/** The records of an undamaged segment, walked by their frames. */
export function recordSpans(bytes: Buffer): RecordSpan[] {
  const spans: RecordSpan[] = [];
  for (let pos = SEGMENT_HEADER_BYTES; pos < bytes.length; ) {
    const end = pos + RECORD_FRAME_BYTES + bytes.readUInt32BE(pos);
    const type = bytes[pos + RECORD_FRAME_BYTES]!;
    const payload = pos + RECORD_FRAME_BYTES + 1;
    const u64 = (at: number) => bytes.readUInt32BE(at) * 2 ** 32 + bytes.readUInt32BE(at + 4);
    const messageId =
      type === RecordType.Message ? u64(payload) : type === RecordType.Enqueue ? u64(payload + 12) : type === RecordType.Remove ? u64(payload + 4) : -1;
    spans.push({ start: pos, end, type, messageId });
    pos = end;
  }
  return spans;
}

/** A recovered queue's messages as a list (none when the queue did not come back). */
export function listed(queue: RecoveredQueue | undefined): RecoveredMessage[] {
  const out: RecoveredMessage[] = [];
  queue?.messages.forEach((message) => {
    out.push(message);
  });
  return out;
}
