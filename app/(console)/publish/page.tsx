import { Suspense } from 'react';
import { PublishForm } from './publish-form';

export default function PublishPage() {
  return (
    <section>
      <h1>Publish</h1>
      <Suspense fallback={<p role="status">Loading…</p>}>
        <PublishForm />
      </Suspense>
    </section>
  );
}
