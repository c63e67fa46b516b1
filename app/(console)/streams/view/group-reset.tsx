'use client';

import { useMutate } from '../../../_lib/use-mutate';
import { useState } from 'react';
import { ConfirmDialog } from '../../../_components/confirm-dialog';
import { ErrorNote } from '../../../_components/error-note';
import { useTRPC } from '../../../_lib/trpc';
import { FIRST_POSITION, PositionFields, positionIsValid, positionOf, type PositionDraft } from './position-fields';
import { LOOK_ONLY, useMe } from '../../../_lib/use-me';

const describe = ({ kind, offset, at }: PositionDraft) =>
  kind === 'first'
    ? 'the first retained message'
    : kind === 'last'
      ? 'the last message'
      : kind === 'offset'
        ? `offset ${offset}`
        : `the first message at or after ${at.replace('T', ' ')}`;

/** Moves where a consumer group resumes, after a confirmation; the engine refuses while one of its consumers is connected. */
export function GroupReset({ vhost, stream, group, committed }: { vhost: string; stream: string; group: string; committed: number }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<PositionDraft>(FIRST_POSITION);
  const [confirming, setConfirming] = useState(false);
  const changes = useMe().canChange(vhost);
  const reset = useMutate(
    trpc.streams.resetGroup.mutationOptions({
      onSettled: () => setConfirming(false),
    }),
  );
  return (
    <div className="actions" role="group" aria-label={`Reset group ${group}`}>
      <PositionFields label="Reset to" draft={draft} onChange={setDraft} />
      <button
        type="button"
        disabled={!positionIsValid(draft) || !changes}
        title={changes ? undefined : LOOK_ONLY}
        onClick={() => (reset.reset(), setConfirming(true))}
      >
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
        onConfirm={() => reset.mutate({ vhost, name: stream, group, to: positionOf(draft) })}
      >
        <p>
          Group <strong>{group}</strong> of <strong>{stream}</strong> has acknowledged up to offset <strong>{committed}</strong>. It will next read from{' '}
          <strong>{describe(draft)}</strong>: messages after that it already read are read again, messages before it that it has not read are skipped.
        </p>
      </ConfirmDialog>
    </div>
  );
}
