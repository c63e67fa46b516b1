'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../../_components/confirm-dialog';
import { ErrorNote } from '../../../_components/error-note';
import { useTRPC } from '../../../_lib/trpc';

type Kind = 'first' | 'last' | 'offset' | 'timestamp';
type Position = { kind: 'first' } | { kind: 'last' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; at: number };

const describe = (kind: Kind, offset: string, at: string) =>
  kind === 'first' ? 'the first retained message' : kind === 'last' ? 'the last message' : kind === 'offset' ? `offset ${offset}` : `the first message at or after ${at.replace('T', ' ')}`;

/** Moves where a consumer group resumes, after a confirmation; the engine refuses while one of its consumers is connected. */
export function GroupReset({ vhost, stream, group, committed }: { vhost: string; stream: string; group: string; committed: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>('first');
  const [offset, setOffset] = useState('0');
  const [at, setAt] = useState('');
  const [confirming, setConfirming] = useState(false);
  const reset = useMutation(
    trpc.streams.resetGroup.mutationOptions({
      onSettled: () => setConfirming(false),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.streams.get.queryKey({ vhost, name: stream }) }),
    }),
  );
  const position: Position =
    kind === 'offset' ? { kind, offset: Number(offset) } : kind === 'timestamp' ? { kind, at: new Date(at).getTime() } : { kind };
  const valid = kind === 'offset' ? /^\d+$/.test(offset) : kind === 'timestamp' ? Number.isFinite(new Date(at).getTime()) : true;
  return (
    <div className="actions" role="group" aria-label={`Reset group ${group}`}>
      <label>
        Reset to
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="first">first</option>
          <option value="last">last</option>
          <option value="offset">offset</option>
          <option value="timestamp">time</option>
        </select>
      </label>
      {kind === 'offset' && (
        <label>
          Offset
          <input inputMode="numeric" value={offset} onChange={(e) => setOffset(e.target.value)} style={{ width: 100 }} />
        </label>
      )}
      {kind === 'timestamp' && (
        <label>
          Time
          <input type="datetime-local" step={1} value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
      )}
      <button type="button" disabled={!valid} onClick={() => (reset.reset(), setConfirming(true))}>
        Reset…
      </button>
      {reset.data && (
        <span role="status" className="muted">
          Resumes at offset {reset.data.resumeAt}.
        </span>
      )}
      <ErrorNote errors={[reset.error]} />
      <ConfirmDialog
        open={confirming}
        title={`Reset group ${group}?`}
        confirmLabel="Reset offset"
        busy={reset.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => reset.mutate({ vhost, name: stream, group, to: position })}
      >
        <p>
          Group <strong>{group}</strong> of <strong>{stream}</strong> has acknowledged up to offset <strong>{committed}</strong>. It will next read from{' '}
          <strong>{describe(kind, offset, at)}</strong>: messages after that it already read are read again, messages before it that it has not read are skipped.
        </p>
      </ConfirmDialog>
    </div>
  );
}
