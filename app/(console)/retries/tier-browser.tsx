'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../_lib/trpc';
import { formatClock } from '../../_lib/format';
import { MessageViewer } from '../../_components/message-viewer';

const PAGE = 50;

/** The messages held in one tier, due first first, read without taking them. */
export function TierBrowser({ vhost, queue, tier, label, onClose }: { vhost: string; queue: string; tier: number; label: string; onClose: () => void }) {
  const trpc = useTRPC();
  const held = useQuery(trpc.retries.browseTier.queryOptions({ vhost, name: queue, tier, limit: PAGE }));
  return (
    <section className="card" aria-label={`Messages held in tier ${tier + 1} of ${queue}`}>
      <div className="actions">
        <h3 style={{ margin: 0 }}>
          Held in tier {tier + 1} ({label}) of {queue}
        </h3>
        <button type="button" onClick={() => held.refetch()}>
          Refresh
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {held.isPending && <p role="status">Loading held messages…</p>}
      {held.isError && (
        <p role="alert" className="error">
          {held.error.message}
        </p>
      )}
      {held.data && held.data.length === 0 && (
        <p className="empty" role="status">
          No message waits in this tier now.
        </p>
      )}
      {held.data && held.data.length > 0 && (
        <p className="muted">
          The first {held.data.length} message(s), due first first{held.data.length === PAGE ? ` (only the first ${PAGE} are shown)` : ''}.
        </p>
      )}
      {held.data?.map((m) => (
        <MessageViewer key={m.seq} message={m} title={`Attempt ${m.attempt}, held since ${formatClock(m.heldSince)}, due back at ${formatClock(m.dueAt)}`} />
      ))}
    </section>
  );
}
