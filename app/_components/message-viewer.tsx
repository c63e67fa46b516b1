'use client';

import { useMemo, useState } from 'react';
import { formatBytes } from '../_lib/format';

export interface ViewedMessage {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  properties: Record<string, unknown>;
  sizeBytes: number;
  payloadBase64: string;
}

type View = 'json' | 'text' | 'hex';

function decode(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function hexDump(bytes: Uint8Array, max = 4096): string {
  const lines: string[] = [];
  for (let off = 0; off < Math.min(bytes.length, max); off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > max) lines.push(`… ${bytes.length - max} more bytes (download to see all)`);
  return lines.join('\n');
}

/** Renders a field value the server tagged ($bytes, $long, $timestamp) as a person reads it. */
export function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ('$timestamp' in o) return String(o.$timestamp);
    if ('$long' in o) return String(o.$long);
    if ('$bytes' in o) return `<${atob(String(o.$bytes)).length} bytes>`;
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function JsonNode({ value, name }: { value: unknown; name?: string }) {
  const label = name !== undefined ? <span className="json-key">{JSON.stringify(name)}: </span> : null;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <details open className="json-node">
        <summary>
          {label}
          {open}
          <span className="muted">
            {' '}
            {entries.length} {Array.isArray(value) ? 'items' : 'keys'}{' '}
          </span>
        </summary>
        <div className="json-children">
          {entries.map(([k, v]) => (
            <JsonNode key={k} name={Array.isArray(value) ? undefined : k} value={v} />
          ))}
        </div>
        {close}
      </details>
    );
  }
  return (
    <div>
      {label}
      <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </div>
  );
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
            <td>{fieldText(d.time)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One message: payload as JSON, text or hex, with every property and header; copy and download. */
export function MessageViewer({ message, title }: { message: ViewedMessage; title: string }) {
  const bytes = useMemo(() => decode(message.payloadBase64), [message.payloadBase64]);
  const text = useMemo(() => new TextDecoder('utf-8', { fatal: false }).decode(bytes), [bytes]);
  const json = useMemo(() => {
    try {
      return { ok: true as const, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false as const };
    }
  }, [text]);
  const [view, setView] = useState<View>(json.ok ? 'json' : 'text');
  const [copied, setCopied] = useState(false);
  const { headers, ...props } = message.properties as { headers?: Record<string, unknown> } & Record<string, unknown>;
  const deaths = Array.isArray(headers?.['x-death']) ? (headers!['x-death'] as Record<string, unknown>[]) : null;

  const download = () => {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: String(props.contentType ?? 'application/octet-stream') }));
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
            navigator.clipboard?.writeText(view === 'hex' ? hexDump(bytes) : text).then(
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
      <div className="payload" aria-label="Payload">
        {view === 'json' && json.ok ? <JsonNode value={json.value} /> : <pre>{view === 'hex' ? hexDump(bytes) : text}</pre>}
      </div>
      <details open>
        <summary>Properties and headers</summary>
        <table className="table" aria-label="Properties">
          <tbody>
            {Object.entries(props).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{fieldText(v)}</td>
              </tr>
            ))}
            {headers &&
              Object.entries(headers)
                .filter(([k]) => k !== 'x-death')
                .map(([k, v]) => (
                  <tr key={`h-${k}`}>
                    <th scope="row">header {k}</th>
                    <td>{fieldText(v)}</td>
                  </tr>
                ))}
          </tbody>
        </table>
        {deaths && <DeathTable deaths={deaths} />}
      </details>
    </article>
  );
}
