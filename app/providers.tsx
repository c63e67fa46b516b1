'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { makeTrpcClient, TRPCProvider } from './_lib/trpc';

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        // networkMode 'always': keep asking while the browser says it is offline, so a broker out of reach shows at once (connectivity.ts) instead of pausing silently.
        defaultOptions: { queries: { staleTime: 1_000, refetchOnWindowFocus: false, retry: 1, networkMode: 'always' }, mutations: { networkMode: 'always' } },
      }),
  );
  const [trpcClient] = useState(makeTrpcClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
