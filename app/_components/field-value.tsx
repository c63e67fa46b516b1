import { bytesFromBase64 } from '../_lib/bytes';
import { DateTime } from './date-time';

/** Bytes of a header value shown in hex; the rest is in its base64 (and in the server's, up to its bound). */
const HEX_SHOWN = 64;

/** A tagged field value from the server (server/api/json-safe.ts): bytes, 64-bit integer or timestamp. */
interface Bytes {
  $bytes: string;
  /** Set when the server sent only the first bytes: the value's whole length. */
  $length?: number;
}

function tagged(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, HEX_SHOWN), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function bytesText(v: Bytes): string {
  const bytes = bytesFromBase64(v.$bytes);
  const length = v.$length ?? bytes.length;
  return `${hexOf(bytes)}${length > HEX_SHOWN ? ' …' : ''} (${length.toLocaleString()} bytes)`;
}

/** A field value (header, argument, x-death entry) as one line of text: bytes in hex, timestamps as the server wrote them. */
export function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '';
  const o = tagged(v);
  if (o !== null) {
    if ('$timestamp' in o) return String(o.$timestamp);
    if ('$long' in o) return String(o.$long);
    if ('$bytes' in o) return bytesText(o as unknown as Bytes);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A field value as a person reads it: a timestamp as a local date (the raw value on hover), bytes as hex with their base64. */
export function FieldValue({ value }: { value: unknown }) {
  const o = tagged(value);
  if (o !== null && typeof o.$timestamp === 'string') return <DateTime ms={Date.parse(o.$timestamp)} raw={o.$timestamp} />;
  if (o !== null && typeof o.$bytes === 'string') {
    const b = o as unknown as Bytes;
    return (
      <span className="field-bytes">
        <code aria-label="hex">{bytesText(b)}</code>{' '}
        <span className="muted">
          base64 <code>{b.$bytes.length > 120 ? `${b.$bytes.slice(0, 120)}…` : b.$bytes}</code>
          {b.$length !== undefined && ` (first ${bytesFromBase64(b.$bytes).length.toLocaleString()} bytes sent)`}
        </span>
      </span>
    );
  }
  return <>{fieldText(value)}</>;
}

/** The AMQP `timestamp` property (seconds since the epoch) as a local date, the raw value on hover. */
export function TimestampProperty({ seconds }: { seconds: unknown }) {
  return typeof seconds === 'number' ? <DateTime ms={seconds * 1000} raw={`${seconds} (seconds since 1970)`} /> : <>{fieldText(seconds)}</>;
}
