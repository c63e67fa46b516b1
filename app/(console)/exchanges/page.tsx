import { Suspense } from 'react';
import { ExchangesView } from './exchanges-view';

export default function ExchangesPage() {
  return (
    <section>
      <h1>Exchanges</h1>
      <Suspense fallback={<p role="status">Loading exchanges…</p>}>
        <ExchangesView />
      </Suspense>
    </section>
  );
}
