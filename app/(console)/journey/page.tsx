import { Suspense } from 'react';
import { JourneyView } from './journey-view';

export default function JourneyPage() {
  return (
    <section>
      <h1>Message journey</h1>
      <p className="muted">
        Where a message went, step by step: published, the bindings that matched, each queue it entered, each delivery and its ack or reject, retry tiers,
        dead-lettering, expiry, drops, and what was done to it from the console. Only traced messages have a journey: turn tracing on for a queue on its page,
        or for the whole vhost here. Messages already queued when tracing is turned on are not traced.
      </p>
      <Suspense fallback={<p role="status">Loading…</p>}>
        <JourneyView />
      </Suspense>
    </section>
  );
}
