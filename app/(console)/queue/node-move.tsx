'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { useTRPC } from '../../_lib/trpc';
import { useMe } from '../../_lib/use-me';
import { useMutate } from '../../_lib/use-mutate';

/**
 * In a cluster, moves a durable queue to another live node: its owner hands it
 * over at its next heartbeat and the new one serves it at its own, a few
 * seconds in all ("Served by" follows). Administrators only.
 */
export function NodeMove({ vhost, name, servedBy }: { vhost: string; name: string; servedBy: string | null }) {
  const trpc = useTRPC();
  const me = useMe();
  const nodes = useQuery(trpc.cluster.nodes.queryOptions());
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [asked, setAsked] = useState<string | null>(null);
  const move = useMutate(trpc.cluster.moveQueue.mutationOptions({ onSuccess: () => (setConfirming(false), setAsked(target)) }), trpc.queues);
  if (!me.isAdministrator || !nodes.data?.clustered) return null;
  const others = nodes.data.nodes.filter((n) => n.status === 'live' && n.name !== servedBy);
  const arrived = asked !== null && servedBy === asked;
  return (
    <div className="card">
      <h2>Node</h2>
      <p className="muted">Served by {servedBy ?? 'no node right now (a take-over is under way)'}.</p>
      <div className="actions" role="group" aria-label="Move to another node">
        <label>
          Move to node
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">choose a node</option>
            {others.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={target === '' || move.isPending} onClick={() => setConfirming(true)}>
          Move to node…
        </button>
        {asked !== null && (
          <span role="status" className="notice">
            {arrived ? `Node ${asked} serves the queue now.` : `Moving to node ${asked}: it serves the queue within a few seconds…`}
          </span>
        )}
        <ErrorNote errors={[move.error]} />
        <ConfirmDialog
          open={confirming}
          title={`Move ${name} to node ${target}?`}
          confirmLabel={`Move to ${target}`}
          busy={move.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => move.mutate({ vhost, name, node: target })}
        >
          <p>
            Node <strong>{servedBy ?? 'none'}</strong> stops delivering the queue and node <strong>{target}</strong> serves it from its next heartbeat.
            Consumers follow on their own; messages they had not acknowledged are delivered again.
          </p>
        </ConfirmDialog>
      </div>
    </div>
  );
}
