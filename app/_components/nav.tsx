'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../_lib/trpc';
import { ThemeToggle } from './theme-toggle';

/** Every page of the console, in the order of the sidebar. */
export const PAGES = [
  { href: '/', label: 'Overview' },
  { href: '/queues', label: 'Queues' },
  { href: '/exchanges', label: 'Exchanges' },
  { href: '/policies', label: 'Policies' },
  { href: '/routing', label: 'Routing' },
  { href: '/streams', label: 'Streams' },
  { href: '/retries', label: 'Retries' },
  { href: '/dead-letters', label: 'Dead letters' },
  { href: '/scheduled', label: 'Scheduled' },
  { href: '/journey', label: 'Journey' },
  { href: '/lag', label: 'Lag' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/connections', label: 'Connections' },
  { href: '/channels', label: 'Channels' },
  { href: '/publish', label: 'Publish' },
  { href: '/users', label: 'Users', administrator: true },
  { href: '/vhosts', label: 'Vhosts', administrator: true },
  { href: '/permissions', label: 'Permissions', administrator: true },
  { href: '/definitions', label: 'Definitions', administrator: true },
  { href: '/admin', label: 'Admin', seesAll: true },
] as const;

export function Nav() {
  const pathname = usePathname();
  const router = useRouter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace('/login');
      },
    }),
  );
  return (
    <nav aria-label="Console" className="nav">
      <div className="brand">Warren</div>
      <ul>
        {PAGES.filter((p) => !(('administrator' in p && !me.data?.isAdministrator) || ('seesAll' in p && !me.data?.seesAll))).map((p) => {
          const active = p.href === '/' ? pathname === '/' : pathname.startsWith(p.href);
          return (
            <li key={p.href}>
              <Link href={p.href} aria-current={active ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          );
        })}
      </ul>
      {me.data && (
        <div className="who">
          Signed in as <strong>{me.data.name}</strong>
          <button type="button" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      )}
      {me.data && <ThemeToggle user={me.data.name} />}
    </nav>
  );
}
