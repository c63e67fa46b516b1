'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useMutate } from '../../_lib/use-mutate';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { useTRPC } from '../../_lib/trpc';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';

/** Which messages an action applies to: the ones ticked, or every one matching the filter. */
export type Selection = { seqs: number[] } | { filter: Record<string, string | number | undefined> };

/**
 * Bulk actions on the selected dead letters: requeue (to where each died, or
 * to a queue named here, optionally resetting its retry attempts), export as
 * JSON lines, delete after a confirmation. Each says how many it moved.
 */
export function DeadLetterActions({
  vhost,
  queue,
  selection,
  count,
  onDone,
}: {
  vhost: string;
  queue: string;
  selection: Selection | null;
  count: number;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const changes = useMe().canChange(vhost);
  const [target, setTarget] = useState('');
  const [resetAttempts, setResetAttempts] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [result, setResult] = useState('');
  const [exportError, setExportError] = useState<Error | null>(null);
  const after = (text: string) => {
    setResult(text);
    onDone();
  };
  const requeue = useMutate(
    trpc.deadLetters.requeue.mutationOptions({
      onSuccess: (r) =>
        after(
          `Requeued ${r.requeued} message(s) to ${target || 'their original queues'}${r.skipped > 0 ? `; ${r.skipped} skipped (their queue is missing or full) and still here` : ''}.`,
        ),
    }),
    trpc.queues,
  );
  const del = useMutate(trpc.deadLetters.delete.mutationOptions({ onSuccess: (r) => (setConfirmDelete(false), after(`Deleted ${r.deleted} message(s).`)) }));

  const exportJsonl = async () => {
    if (!selection) return;
    setExportError(null);
    try {
      const out = await queryClient.fetchQuery({ ...trpc.deadLetters.export.queryOptions({ vhost, name: queue, selection }), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([out.jsonl], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${queue}-dead-letters.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
      setResult(`Exported ${out.count} message(s) as JSON lines; they stay in ${queue}.`);
    } catch (err) {
      setExportError(err as Error);
    }
  };

  const none = selection === null || count === 0;
  return (
    <div className="card" role="group" aria-label="Act on the selected messages">
      <div className="actions">
        <strong>{count.toLocaleString()} selected</strong>
        <label>
          Requeue to
          <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder="their original queue" />
        </label>
        <label>
          <span>
            <input type="checkbox" checked={resetAttempts} onChange={(e) => setResetAttempts(e.target.checked)} /> Reset attempts
          </span>
        </label>
        <button
          type="button"
          className="primary"
          disabled={none || requeue.isPending || !changes}
          title={changes ? undefined : LOOK_ONLY}
          onClick={() => selection && requeue.mutate({ vhost, name: queue, selection, to: target || undefined, resetAttempts })}
        >
          Requeue
        </button>
        <button type="button" disabled={none} onClick={() => void exportJsonl()}>
          Export JSON lines
        </button>
        <button type="button" className="danger" disabled={none || !changes} title={changes ? undefined : LOOK_ONLY} onClick={() => setConfirmDelete(true)}>
          Delete…
        </button>
      </div>
      {result && (
        <p role="status" className="notice" aria-label="Result">
          {result}
        </p>
      )}
      <ErrorNote errors={[requeue.error, del.error, exportError]} />
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${count.toLocaleString()} dead letter(s)?`}
        confirmLabel={`Delete ${count.toLocaleString()} message(s)`}
        busy={del.isPending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => selection && del.mutate({ vhost, name: queue, selection })}
      >
        <p>
          The <strong>{count.toLocaleString()}</strong> selected message(s) of <strong>{queue}</strong> will be deleted for good, with their payloads and death
          history. Export them first if you may need them.
        </p>
      </ConfirmDialog>
    </div>
  );
}
