import { Suspense } from 'react';
import { DeadLetterInspector } from './dead-letter-inspector';

export default function Page() {
  return (
    <section>
      <h1>Dead letters</h1>
      <p className="muted">
        Why each message died, where it came from and how often it was tried; requeue, export or delete them in bulk. Every bulk action is recorded in the audit
        log.
      </p>
      <Suspense fallback={<p role="status">Loading…</p>}>
        <DeadLetterInspector />
      </Suspense>
    </section>
  );
}
