import { VhostsView } from './vhosts-view';

export default function VhostsPage() {
  return (
    <section>
      <h1>Vhosts</h1>
      <p className="muted">
        Virtual hosts keep applications apart: each has its own exchanges, queues, policies and permissions. Clients name theirs when they connect
        (amqp://user:password@host:5672/<em>vhost</em>, with / written %2F). Every change is recorded in the audit log.
      </p>
      <VhostsView />
    </section>
  );
}
