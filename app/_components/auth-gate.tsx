'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useLive } from '../_lib/use-live';
import { useEffect, type ReactNode } from 'react';
import { useTRPC } from '../_lib/trpc';

/** Shows the console only to a signed-in user; everyone else goes to the sign-in page and comes back after. */
export function AuthGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  // Asked again at the live cadence: a session revoked on the server (user deleted) ends here too, and a broker gone shows at once.
  const me = useLive(trpc.auth.me.queryOptions());
  const signedOut = me.isSuccess && me.data === null;

  useEffect(() => {
    if (signedOut) router.replace(`/login?next=${encodeURIComponent(pathname + window.location.search)}`);
  }, [signedOut, pathname, router]);

  // Once signed in, a broker that stops answering keeps the page (greyed, under the banner) rather than replacing it.
  if (me.isError && !me.data) {
    return (
      <p role="alert" className="error page">
        Cannot reach the broker: {me.error.message}
      </p>
    );
  }
  if (!me.data)
    return (
      <p role="status" className="page">
        Checking sign-in…
      </p>
    );
  return <>{children}</>;
}
