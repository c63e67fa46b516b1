'use client';

import { useRef, useState, type FormEvent } from 'react';
import { formatBytes } from '../_lib/format';
import { ErrorNote } from './error-note';

/** Which messages an export takes: all, chosen seqs, or those a search finds (as the Search panel sends it). */
export type ExportSelection = { seqs: number[] } | { query: unknown } | null;

/** The download address of an export (server/http/message-transfer/transfer-handler.ts). */
export function exportHref(vhost: string, name: string, selection: ExportSelection = null): string {
  const base = `/api/transfer/export/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`;
  if (selection === null) return base;
  if ('seqs' in selection) return `${base}?seqs=${selection.seqs.join(',')}`;
  return `${base}?query=${encodeURIComponent(JSON.stringify(selection.query))}`;
}

/**
 * A link that downloads messages as JSON lines: the browser writes the
 * stream to disk as it arrives, so a queue of any size can be exported.
 */
export function ExportLink({ vhost, name, selection = null, children }: { vhost: string; name: string; selection?: ExportSelection; children: string }) {
  return (
    <a className="button" href={exportHref(vhost, name, selection)} download>
      {children}
    </a>
  );
}

/** Bytes sent in one request; a part ends at a newline, so no line is split. */
const PART_BYTES = 8 * 1024 * 1024;

interface Tally {
  imported: number;
  refused: number;
  unroutable: number;
  skipped: number;
  sentBytes: number;
  lastLine: number;
}

interface PartReport {
  imported: number;
  refused: number;
  unroutable: number;
  skippedCount: number;
  lastLine: number;
}

/** Where the next part ends: after the last newline within PART_BYTES of `start` (further when a line is longer), or the file's end. */
async function partEnd(file: Blob, start: number): Promise<number> {
  for (let size = PART_BYTES; ; size *= 2) {
    const end = Math.min(file.size, start + size);
    if (end === file.size) return end;
    const bytes = new Uint8Array(await file.slice(start, end).arrayBuffer());
    const newline = bytes.lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
  }
}

/**
 * Imports a JSON-lines file (as an export writes it) into a queue or an
 * exchange (lines without a routing key take `routingKey`), in parts of about 8 MiB, each read by the server as it arrives:
 * a file of any size, with progress. A bad line stops the import there,
 * saying which, unless bad lines are skipped.
 */
export function ImportMessages({ vhost, into }: { vhost: string; into: { queue: string } | { exchange: string; routingKey: string } }) {
  const [file, setFile] = useState<File | null>(null);
  const [skipBadLines, setSkipBadLines] = useState(false);
  const [tally, setTally] = useState<Tally | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<{ message: string } | null>(null);
  const [notice, setNotice] = useState('');
  const abort = useRef<AbortController | null>(null);
  const [kind, name] = 'queue' in into ? ['queue', into.queue] : ['exchange', into.exchange];

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (file === null) return;
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setError(null);
    setNotice('');
    const sum: Tally = { imported: 0, refused: 0, unroutable: 0, skipped: 0, sentBytes: 0, lastLine: 0 };
    setTally({ ...sum });
    try {
      while (sum.sentBytes < file.size) {
        const end = await partEnd(file, sum.sentBytes);
        const query = new URLSearchParams({ firstLine: String(sum.lastLine + 1), skipBadLines: String(skipBadLines) });
        // Lines without a routing key take the one the form gives.
        if ('routingKey' in into) query.set('routingKey', into.routingKey);
        const res = await fetch(`/api/transfer/import/${encodeURIComponent(vhost)}/${kind}/${encodeURIComponent(name)}?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: file.slice(sum.sentBytes, end),
          signal: controller.signal,
        });
        const report = (await res.json()) as Partial<PartReport> & { reason?: string };
        sum.imported += report.imported ?? 0;
        sum.refused += report.refused ?? 0;
        sum.unroutable += report.unroutable ?? 0;
        sum.skipped += report.skippedCount ?? 0;
        if (!res.ok) throw new Error(report.reason ?? `The import failed (HTTP ${res.status}).`);
        sum.lastLine = report.lastLine ?? sum.lastLine;
        sum.sentBytes = end;
        setTally({ ...sum });
      }
      setNotice(
        `Imported ${sum.imported.toLocaleString()} message(s) from ${sum.lastLine.toLocaleString()} line(s)` +
          (sum.skipped > 0 ? `; ${sum.skipped.toLocaleString()} bad line(s) skipped` : '') +
          (sum.refused > 0 ? `; ${sum.refused.toLocaleString()} refused by the queue` : '') +
          (sum.unroutable > 0 ? `; ${sum.unroutable.toLocaleString()} routed to no queue` : '') +
          '.',
      );
    } catch (err) {
      setTally({ ...sum });
      setError(controller.signal.aborted ? { message: `Import stopped after ${sum.imported.toLocaleString()} message(s).` } : (err as Error));
    } finally {
      setRunning(false);
      abort.current = null;
    }
  };

  return (
    <form className="actions" onSubmit={run} aria-label={`Import messages into this ${kind}`}>
      <label>
        JSON-lines file
        <input type="file" accept=".jsonl,.ndjson,.json,application/x-ndjson,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <label>
        <span>
          <input type="checkbox" checked={skipBadLines} onChange={(e) => setSkipBadLines(e.target.checked)} /> Skip bad lines
        </span>
      </label>
      <button type="submit" disabled={file === null || running}>
        Import messages
      </button>
      {running && (
        <button type="button" onClick={() => abort.current?.abort()}>
          Stop
        </button>
      )}
      {tally && file && (
        <span role="status" aria-label="Import progress">
          {formatBytes(tally.sentBytes)} of {formatBytes(file.size)} sent, {tally.imported.toLocaleString()} message(s) imported
        </span>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote errors={[error]} />
    </form>
  );
}
