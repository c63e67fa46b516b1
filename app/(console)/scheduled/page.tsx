import { ScheduledView } from './scheduled-view';

export default function Page() {
  return (
    <section>
      <h1>Scheduled messages</h1>
      <p className="muted">
        Messages published with a delay: <code>x-delay</code> (milliseconds) on an exchange of type <code>x-delayed-message</code>, as with RabbitMQ&apos;s
        delayed-message plugin, or <code>x-deliver-at</code> (epoch milliseconds) on any exchange. Each waits on its exchange until due, then is routed as if
        published then.
      </p>
      <ScheduledView />
    </section>
  );
}
