import { Suspense } from 'react';
import { PoliciesView } from './policies-view';

export default function PoliciesPage() {
  return (
    <section>
      <h1>Policies</h1>
      <p className="muted">
        A policy sets limits, dead-lettering, retry tiers, stream retention or an alternate exchange on every queue or exchange whose name matches its pattern,
        without redeclaring them; it applies at once. Of the policies matching a name, the highest priority wins. Limits take the lower of the policy and the
        queue&apos;s own argument; for everything else the queue&apos;s own argument wins. Changes are recorded in the audit log.
      </p>
      <Suspense fallback={<p role="status">Loading policies…</p>}>
        <PoliciesView />
      </Suspense>
    </section>
  );
}
