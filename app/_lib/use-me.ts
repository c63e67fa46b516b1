'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc';

/**
 * The signed-in user and what they may do, from auth.me: pages hide or
 * disable what the server would refuse (it refuses anyway).
 */
/** Why a change control is disabled for a user who may only look. */
export const LOOK_ONLY = 'Your user may only look here: changes need the management tag and a permission on this vhost.';

export function useMe() {
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 5_000 });
  const data = me.data ?? null;
  return {
    me: data,
    isAdministrator: data?.isAdministrator ?? false,
    seesAll: data?.seesAll ?? false,
    canChange: (vhost: string) => data?.changeVhosts.includes(vhost) ?? false,
    canSetPolicies: (vhost: string) => data?.policyVhosts.includes(vhost) ?? false,
    /** May change something somewhere (management, policymaker, administrator). */
    changesAny: (data?.changeVhosts.length ?? 0) > 0,
  };
}
