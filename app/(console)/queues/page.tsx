import { Suspense } from 'react';
import { QueueTable } from './queue-table';

export default function QueuesPage() {
  return (
    <section>
      <h1>Queues</h1>
      <Suspense fallback={<p role="status">Loading queues…</p>}>
        <QueueTable />
      </Suspense>
    </section>
  );
}
