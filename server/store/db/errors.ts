/**
 * A metadata-database failure a person can act on: the message is one line and
 * names the setting to change (DATABASE_URL) when the setting is the cause.
 */
export class MetadataDbError extends Error {
  override name = 'MetadataDbError';
}

/**
 * One line from whatever a driver or the schema engine threw. Driver adapter
 * errors carry only a kind in their message (e.g. DatabaseNotReachable); the
 * driver's message or the details (host, port) are in `cause`.
 */
export function describeCause(error: unknown): string {
  let text = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === 'object' && 'originalMessage' in cause) {
    text = `${text}: ${String(cause.originalMessage)}`;
  } else if (cause && typeof cause === 'object' && 'kind' in cause) {
    const details = Object.entries(cause)
      .filter(([key, value]) => key !== 'kind' && value !== undefined && value !== null && typeof value !== 'object')
      .map(([key, value]) => `${key} ${String(value)}`);
    if (details.length > 0) text = `${text} (${details.join(', ')})`;
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}
