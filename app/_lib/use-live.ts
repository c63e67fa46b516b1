'use client';

import { useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';

/** The one refresh cadence of the console's live figures. */
export const LIVE_MS = 1_000;

/** A tRPC error saying the object asked for does not exist (the broker's 404). */
export function isNotFound(error: unknown): boolean {
  const data = (error as { data?: { code?: string } } | null)?.data;
  return data?.code === 'NOT_FOUND';
}

/**
 * A query kept live: asked again every LIVE_MS while the page is visible; the
 * last answer stays on screen between answers (and while the broker cannot be
 * reached, when the banner says so). An object that does not exist
 * is asked for once: no retry, no polling.
 */
export function useLive<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(options: UseQueryOptions<TQueryFnData, TError, TData, TQueryKey>) {
  return useQuery({
    ...options,
    refetchInterval: (query) => (isNotFound(query.state.error) ? false : LIVE_MS),
    retry: (failures, error) => !isNotFound(error) && failures < 1,
  });
}
