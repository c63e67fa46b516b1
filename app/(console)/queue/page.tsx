import { Suspense } from 'react';
import { QueueDetail } from './queue-detail';

export default function QueuePage() {
  return (
    <Suspense fallback={<p role="status">Loading queue…</p>}>
      <QueueDetail />
    </Suspense>
  );
}
