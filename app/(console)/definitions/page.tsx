import { DefinitionsView } from './definitions-view';

export default function DefinitionsPage() {
  return (
    <section>
      <h1>Definitions</h1>
      <p className="muted">
        Move in from RabbitMQ, or copy one Warren to another: a definitions file (as <code>rabbitmqctl export_definitions</code> or RabbitMQ&apos;s{' '}
        <code>GET /api/definitions</code> writes it) holds users, vhosts, permissions, policies, exchanges, queues and bindings. An import never changes what
        exists: it makes what is missing, and says what was already there, what differs, and what it skipped and why. A file with any error is not applied at
        all. Imports are recorded in the audit log.
      </p>
      <DefinitionsView />
    </section>
  );
}
