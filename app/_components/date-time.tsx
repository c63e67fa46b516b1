/** A moment shown in the reader's local date and time (seconds, 24-hour), or a dash when there is none. */
export function DateTime({ ms }: { ms: number | null }) {
  if (ms === null) return <>—</>;
  const at = new Date(ms);
  return <time dateTime={at.toISOString()}>{at.toLocaleString([], { hour12: false })}</time>;
}
