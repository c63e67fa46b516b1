'use client';

import { useSyncExternalStore } from 'react';

/**
 * Whether the broker answers the console, as seen by every API request: a
 * request that cannot reach it (network down, process stopped) marks it
 * unreachable from that moment; any answer, even a refusal, marks it back.
 * The console and the broker are one process, so this is the broker's state.
 */
let unreachableSince: number | null = null;
const listeners = new Set<() => void>();

function set(value: number | null): void {
  if (value === unreachableSince) return;
  unreachableSince = value;
  for (const l of listeners) l();
}

export function markReachable(): void {
  set(null);
}

export function markUnreachable(at = Date.now()): void {
  if (unreachableSince === null) set(at);
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The time the broker stopped answering, or null while it answers. */
export function useUnreachableSince(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => unreachableSince,
    () => null,
  );
}

/** `fetch` for the API links: records whether the broker answered. */
export const trackedFetch: typeof fetch = async (input, init) => {
  try {
    const res = await fetch(input, init);
    // A proxy in front may answer 502-504 for a broker that is gone.
    if (res.status >= 502 && res.status <= 504) markUnreachable();
    else markReachable();
    return res;
  } catch (error) {
    if (!(init?.signal?.aborted ?? false)) markUnreachable();
    throw error;
  }
};

/** True for the error a request gets when the broker cannot be reached (shown by the banner, not per card). */
export function isUnreachableError(error: { message: string } | null | undefined): boolean {
  if (!error) return false;
  const m = error.message;
  return m === 'Failed to fetch' || m === 'Load failed' || m.startsWith('NetworkError') || m === 'fetch failed' || /ECONNREFUSED/.test(m);
}
