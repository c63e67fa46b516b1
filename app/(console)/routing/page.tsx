import { Suspense } from 'react';
import { RoutingPage } from './routing-page';

export default function Page() {
  return (
    <Suspense fallback={<p role="status">Loading routing…</p>}>
      <RoutingPage />
    </Suspense>
  );
}
