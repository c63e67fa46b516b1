import { Suspense } from 'react';
import { StreamDetail } from './stream-detail';

export default function Page() {
  return (
    <Suspense fallback={<p role="status">Loading stream…</p>}>
      <StreamDetail />
    </Suspense>
  );
}
