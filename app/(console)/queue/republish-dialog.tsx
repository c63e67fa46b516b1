'use client';

import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { HeaderRows, type HeaderRow } from '../../_components/header-rows';
import { bytesFromBase64, utf8OrNull } from '../../_lib/bytes';
import { useMutate } from '../../_lib/use-mutate';
import { useTRPC } from '../../_lib/trpc';

export interface EditableMessage {
  seq: number;
  payloadBase64: string;
  properties: { headers?: unknown };
}

/** Headers the form can edit (text, number, true/false); others are named so nobody is surprised they go. */
function editableHeaders(headers: unknown): { rows: HeaderRow[]; dropped: string[] } {
  const rows: HeaderRow[] = [];
  const dropped: string[] = [];
  if (headers === null || typeof headers !== 'object') return { rows, dropped };
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') rows.push({ key, value, type: 'string' });
    else if (typeof value === 'number') rows.push({ key, value: String(value), type: 'number' });
    else if (typeof value === 'boolean') rows.push({ key, value: String(value), type: 'boolean' });
    else dropped.push(key);
  }
  return { rows, dropped };
}

/**
 * Edit one message and republish it as a new message: the copy carries
 * x-warren-edited-from (the original's id), and the original is removed
 * unless kept. Confirmed like every destructive operation.
 */
export function RepublishDialog({
  vhost,
  queue,
  message,
  onClose,
}: {
  vhost: string;
  queue: string;
  message: EditableMessage;
  onClose: (notice?: string) => void;
}) {
  const trpc = useTRPC();
  const original = utf8OrNull(bytesFromBase64(message.payloadBase64));
  const [payload, setPayload] = useState(original ?? '');
  const initial = editableHeaders(message.properties.headers);
  const [rows, setRows] = useState(initial.rows);
  const [headersTouched, setHeadersTouched] = useState(false);
  const [removeOriginal, setRemoveOriginal] = useState(true);
  const republish = useMutate(
    trpc.messages.republish.mutationOptions({
      onSuccess: () => onClose(removeOriginal ? 'Edited message republished; the original was removed.' : 'Edited message republished; the original stays.'),
    }),
    trpc.queues,
  );
  return (
    <ConfirmDialog
      open
      title={`Edit and republish message ${message.seq}`}
      confirmLabel="Republish"
      busy={republish.isPending}
      onCancel={() => onClose()}
      onConfirm={() =>
        republish.mutate({
          vhost,
          name: queue,
          seq: message.seq,
          payload: original === null && payload === '' ? undefined : payload,
          headers: headersTouched ? rows : undefined,
          removeOriginal,
        })
      }
    >
      <ErrorNote errors={[republish.error]} />
      <p>It is published again to the exchange and routing key it came with, as a new message linked to this one.</p>
      {original === null ? (
        <p>The payload is not UTF-8 text and is republished unchanged.</p>
      ) : (
        <label>
          Payload
          <textarea rows={8} value={payload} onChange={(e) => setPayload(e.target.value)} />
        </label>
      )}
      <HeaderRows
        rows={rows}
        onChange={(next) => {
          setHeadersTouched(true);
          setRows(next);
        }}
      />
      {headersTouched && initial.dropped.length > 0 && <p className="muted">Headers the form cannot edit are left out: {initial.dropped.join(', ')}.</p>}
      <label>
        <input type="checkbox" checked={removeOriginal} onChange={(e) => setRemoveOriginal(e.target.checked)} /> Remove the original
      </label>
    </ConfirmDialog>
  );
}
