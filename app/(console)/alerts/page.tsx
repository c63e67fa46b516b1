import { Suspense } from 'react';
import { AlertsView } from './alerts-view';

export default function AlertsPage() {
  return (
    <section>
      <h1>Alerts</h1>
      <p className="muted">
        A rule watches the queues (or the stream consumer groups) of a vhost whose names match its pattern. When its condition holds for its duration, it fires:
        it shows here, on the overview and on the object&apos;s page, is recorded below, and goes to its webhooks as JSON signed with the webhook&apos;s secret
        (and to a Slack-compatible webhook, if given). When the condition stops holding, the recovery is recorded and sent too.
      </p>
      <Suspense fallback={<p role="status">Loading alerts…</p>}>
        <AlertsView />
      </Suspense>
    </section>
  );
}
