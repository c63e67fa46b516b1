'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { trapTab } from '../../_lib/focus-trap';
import { HeaderRows, type HeaderRow } from '../../_components/header-rows';
import type { Args } from './graph-model';

/** A binding being created (after a drag) or edited (replacing an existing one). */
export interface BindingDraft {
  source: string;
  sourceType: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Args;
  /** True when it replaces a binding (unbind, then bind with the new key). */
  editing: boolean;
}

function argsToRows(args: Args): HeaderRow[] {
  return Object.entries(args).map(([key, v]) => ({
    key,
    value: String(v),
    type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string',
  }));
}

function rowsToArgs(rows: HeaderRow[]): Args {
  const out: Args = {};
  for (const r of rows) if (r.key !== '') out[r.key] = r.type === 'number' ? Number(r.value) : r.type === 'boolean' ? r.value === 'true' : r.value;
  return out;
}

/** The small dialog that asks for a binding's routing key (and arguments, for a headers exchange). */
export function BindingDialog({
  draft,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  draft: BindingDraft | null;
  busy: boolean;
  error: string | null;
  onSubmit: (routingKey: string, args: Args) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [routingKey, setRoutingKey] = useState('');
  const [rows, setRows] = useState<HeaderRow[]>([]);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (draft) {
      setRoutingKey(draft.routingKey);
      setRows(
        draft.sourceType === 'headers' && Object.keys(draft.arguments).length === 0
          ? [{ key: 'x-match', value: 'all', type: 'string' }]
          : argsToRows(draft.arguments),
      );
      if (!d.open) d.showModal();
    } else if (d.open) d.close();
  }, [draft]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(routingKey, rowsToArgs(rows));
  };
  const headers = draft?.sourceType === 'headers';
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), onCancel())} onKeyDown={trapTab}>
      {draft && (
        <form onSubmit={submit}>
          <h2 id={titleId}>{draft.editing ? 'Edit binding' : 'New binding'}</h2>
          <p>
            From exchange <strong>{draft.source}</strong> ({draft.sourceType}) to {draft.destinationType} <strong>{draft.destination}</strong>
          </p>
          <div className="actions">
            <label>
              Routing key
              <input
                autoFocus
                value={routingKey}
                onChange={(e) => setRoutingKey(e.target.value)}
                placeholder={draft.sourceType === 'fanout' ? 'ignored by fanout' : headers ? 'ignored by headers' : 'e.g. order.*'}
              />
            </label>
          </div>
          {headers && <HeaderRows label="Arguments" rows={rows} onChange={setRows} />}
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onCancel} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Working…' : draft.editing ? 'Save binding' : 'Bind'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
