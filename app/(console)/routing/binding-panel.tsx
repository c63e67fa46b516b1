'use client';

import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { bindingLabel, type Binding } from './graph-model';

/** The binding selected on the graph (or in the list): edit its key, delete it, or close. */
export function BindingPanel({
  binding,
  busy,
  onEdit,
  onDelete,
  onClose,
}: {
  binding: Binding;
  busy: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onClose: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <aside className="card binding-panel" aria-label="Selected binding">
      <p>
        Binding from exchange <strong>{binding.source}</strong> to {binding.destinationType} <strong>{binding.destination}</strong> with{' '}
        <code>{bindingLabel(binding)}</code>
      </p>
      <div className="actions">
        <button type="button" onClick={onEdit}>
          Edit…
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete…
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Delete this binding?"
        confirmLabel="Delete binding"
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => (setConfirming(false), onDelete())}
      >
        <p>
          Messages published to <strong>{binding.source}</strong> with <code>{bindingLabel(binding)}</code> will no longer reach {binding.destinationType}{' '}
          <strong>{binding.destination}</strong> through this binding.
        </p>
      </ConfirmDialog>
    </aside>
  );
}
