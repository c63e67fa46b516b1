/**
 * A moment shown in the reader's local date and time (seconds, 24-hour), or a
 * dash when there is none; `raw`, when given, is what was sent (shown on hover).
 */
export function DateTime({ ms, raw }: { ms: number | null; raw?: string }) {
  if (ms === null || !Number.isFinite(ms)) return <>{raw ?? '—'}</>;
  const at = new Date(ms);
  return (
    <time dateTime={at.toISOString()} title={raw}>
      {at.toLocaleString([], { hour12: false })}
    </time>
  );
}
