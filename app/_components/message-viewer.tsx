'use client';

import { memo, useMemo, useState } from 'react';
import { bytesFromBase64, utf8OrNull } from '../_lib/bytes';
import { formatBytes } from '../_lib/format';
import { FieldValue, fieldText, TimestampProperty } from './field-value';
import { JsonTree } from './json-tree';

export interface ViewedMessage {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  properties: Record<string, unknown>;
  sizeBytes: number;
  payloadBase64: string;
}

type View = 'json' | 'text' | 'hex';

/** Characters of text shown before "Show all". */
const TEXT_PREVIEW = 256 * 1024;
/** Bytes of hex shown at first, and added by each "Show more". */
const HEX_PAGE = 64 * 1024;

/** Offset, hex and ASCII columns, 16 bytes a line, of the first `max` bytes. */
function hexDump(bytes: Uint8Array, max: number): string {
  const lines: string[] = [];
  for (let off = 0; off < Math.min(bytes.length, max); off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

function DeathTable({ deaths }: { deaths: Record<string, unknown>[] }) {
  return (
    <table className="table" aria-label="x-death">
      <thead>
        <tr>
          <th>Queue</th>
          <th>Reason</th>
          <th>Count</th>
          <th>Exchange</th>
          <th>Routing keys</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {deaths.map((d, i) => (
          <tr key={i}>
            <td>{fieldText(d.queue)}</td>
            <td>{fieldText(d.reason)}</td>
            <td>{fieldText(d.count)}</td>
            <td>{fieldText(d.exchange)}</td>
            <td>{Array.isArray(d['routing-keys']) ? (d['routing-keys'] as unknown[]).map(fieldText).join(', ') : ''}</td>
            <td>
              <FieldValue value={d.time} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One message: payload as a JSON tree, text or hex, with every property and
 * header; copy and download. Large payloads open as previews (text: the first
 * 256 KiB, hex: the first 64 KiB, JSON: a tree rendered only where open); a
 * payload that is not UTF-8 opens as hex. Memoised: a list refreshed every
 * second does not redraw a message that did not change.
 */
export const MessageViewer = memo(MessageViewerBody, (a, b) => a.title === b.title && sameMessage(a.message, b.message));

function sameMessage(a: ViewedMessage, b: ViewedMessage): boolean {
  if (a === b) return true;
  return (
    a.payloadBase64 === b.payloadBase64 &&
    a.sizeBytes === b.sizeBytes &&
    a.exchange === b.exchange &&
    a.routingKey === b.routingKey &&
    a.redelivered === b.redelivered &&
    JSON.stringify(a.properties) === JSON.stringify(b.properties)
  );
}

function MessageViewerBody({ message, title }: { message: ViewedMessage; title: string }) {
  const bytes = useMemo(() => bytesFromBase64(message.payloadBase64), [message.payloadBase64]);
  const text = useMemo(() => utf8OrNull(bytes), [bytes]);
  const json = useMemo(() => {
    if (text === null) return { ok: false as const };
    try {
      return { ok: true as const, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false as const };
    }
  }, [text]);
  const [view, setView] = useState<View>(json.ok ? 'json' : text === null ? 'hex' : 'text');
  const [textShown, setTextShown] = useState(TEXT_PREVIEW);
  const [hexShown, setHexShown] = useState(HEX_PAGE);
  const [copied, setCopied] = useState(false);
  const { headers, ...props } = message.properties as { headers?: Record<string, unknown> } & Record<string, unknown>;
  const deaths = Array.isArray(headers?.['x-death']) ? (headers!['x-death'] as Record<string, unknown>[]) : null;
  const contentType = typeof props.contentType === 'string' ? props.contentType : 'application/octet-stream';
  // Lossy text of a binary payload, only when asked for.
  const shownText = view === 'text' ? (text ?? new TextDecoder('utf-8').decode(bytes)) : '';

  const download = () => {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: contentType }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${title.replace(/[^\w.-]+/g, '_')}.bin`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <article className="card message" aria-label={title}>
      <header className="toolbar">
        <strong>{title}</strong>
        <span className="muted">
          {formatBytes(message.sizeBytes)} · exchange {message.exchange === '' ? '(default)' : `'${message.exchange}'`} · routing key '{message.routingKey}'
          {message.redelivered ? ' · redelivered' : ''}
        </span>
        <span role="group" aria-label="Payload view">
          {(['json', 'text', 'hex'] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={view === v}
              className={view === v ? 'primary' : undefined}
              disabled={v === 'json' && !json.ok}
              onClick={() => setView(v)}
            >
              {v.toUpperCase()}
            </button>
          ))}
        </span>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(view === 'hex' ? hexDump(bytes, bytes.length) : (text ?? new TextDecoder('utf-8').decode(bytes))).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={download}>
          Download
        </button>
      </header>
      {text === null && (
        <p className="muted" role="note">
          Binary payload (not valid UTF-8): {contentType}, {message.sizeBytes.toLocaleString()} bytes.
        </p>
      )}
      <div className="payload" aria-label="Payload">
        {view === 'json' && json.ok && <JsonTree value={json.value} />}
        {view === 'text' && <pre>{shownText.length > textShown ? shownText.slice(0, textShown) : shownText}</pre>}
        {view === 'hex' && <pre>{hexDump(bytes, hexShown)}</pre>}
      </div>
      {view === 'text' && shownText.length > textShown && (
        <p className="muted">
          The first {formatBytes(textShown)} of {formatBytes(shownText.length)} of text.{' '}
          <button type="button" onClick={() => setTextShown(shownText.length)}>
            Show all
          </button>
        </p>
      )}
      {view === 'hex' && bytes.length > hexShown && (
        <p className="muted">
          The first {formatBytes(hexShown)} of {formatBytes(bytes.length)}.{' '}
          <button type="button" onClick={() => setHexShown(hexShown + HEX_PAGE)}>
            Show more
          </button>
        </p>
      )}
      <details open>
        <summary>Properties and headers</summary>
        <table className="table" aria-label="Properties">
          <tbody>
            {Object.entries(props).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{k === 'timestamp' ? <TimestampProperty seconds={v} /> : <FieldValue value={v} />}</td>
              </tr>
            ))}
            {headers &&
              Object.entries(headers)
                .filter(([k]) => k !== 'x-death')
                .map(([k, v]) => (
                  <tr key={`h-${k}`}>
                    <th scope="row">header {k}</th>
                    <td>
                      <FieldValue value={v} />
                    </td>
                  </tr>
                ))}
          </tbody>
        </table>
        {deaths && <DeathTable deaths={deaths} />}
      </details>
    </article>
  );
}
