'use client';

import { useMutation, useQueryClient, type QueryKey, type UseMutationOptions } from '@tanstack/react-query';

/** Anything with tRPC's `pathKey()`: a router (`trpc.queues`) or a procedure. */
interface HasPathKey {
  pathKey(): QueryKey;
}

/**
 * The one way a console change refreshes what it changed: when the mutation
 * succeeds, every query of its own router is invalidated (a queue purge
 * refreshes every `queues.*` query on screen), and of the routers in `also`
 * (e.g. `trpc.bindings` for a binding added from the routing page), then
 * `onSuccess` runs.
 */
export function useMutate<TData, TError, TVariables, TContext>(options: UseMutationOptions<TData, TError, TVariables, TContext>, ...also: HasPathKey[]) {
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    onSuccess: async (...args) => {
      // tRPC mutation keys are [[router, procedure]]; its router's queries start with [[router]].
      const path = (options.mutationKey?.[0] as string[] | undefined) ?? [];
      const keys: QueryKey[] = [...(path.length > 1 ? [[path.slice(0, -1)]] : []), ...also.map((r) => r.pathKey())];
      await Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      await options.onSuccess?.(...args);
    },
  });
}
