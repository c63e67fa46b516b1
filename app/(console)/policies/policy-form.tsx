'use client';

import { useQuery } from '@tanstack/react-query';
import { useMutate } from '../../_lib/use-mutate';
import type { FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { ErrorNote } from '../../_components/error-note';

export interface PolicyDraft {
  name: string;
  pattern: string;
  applyTo: 'queues' | 'exchanges' | 'all';
  priority: string;
  rows: { key: string; value: string }[];
}

type Value = string | number | (string | number)[];

/** A typed value as the kind of its key wants it: whole numbers as numbers, delays as a list. Anything else is sent as typed, and the broker says what is wrong. */
function parseValue(kind: string | undefined, text: string): Value {
  const trimmed = text.trim();
  const number = (item: string): string | number => (/^-?\d+$/.test(item) ? Number(item) : item);
  if (kind === 'integer') return number(trimmed);
  if (kind === 'delays')
    return trimmed
      .split(',')
      .map((item) => number(item.trim()))
      .filter((item) => item !== '');
  return trimmed;
}

/** Adds a policy, or replaces the one of the same name (Edit in the table fills it in). */
export function PolicyForm({
  vhost,
  draft,
  onChange,
  onSaved,
}: {
  vhost: string;
  draft: PolicyDraft;
  onChange: (draft: PolicyDraft) => void;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const keys = useQuery(trpc.policies.keys.queryOptions());
  const save = useMutate(trpc.policies.set.mutationOptions({ onSuccess: onSaved }), trpc.queues, trpc.exchanges);
  const offered = (keys.data ?? []).filter((k) => draft.applyTo === 'all' || k.target === draft.applyTo);
  const setRow = (index: number, row: Partial<PolicyDraft['rows'][number]>) =>
    onChange({ ...draft, rows: draft.rows.map((r, i) => (i === index ? { ...r, ...row } : r)) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const kinds = new Map((keys.data ?? []).map((k) => [k.key, k.kind]));
    const definition: Record<string, Value> = {};
    for (const row of draft.rows) if (row.value.trim() !== '') definition[row.key] = parseValue(kinds.get(row.key), row.value);
    save.mutate({ vhost, name: draft.name, pattern: draft.pattern, applyTo: draft.applyTo, priority: Number(draft.priority), definition });
  };

  return (
    <form className="card" onSubmit={submit} aria-label="Add or update a policy">
      <h2>Add or update a policy</h2>
      <ErrorNote errors={[save.error, keys.error]} />
      <div className="actions">
        <label>
          Name
          <input value={draft.name} onChange={(e) => onChange({ ...draft, name: e.target.value })} required />
        </label>
        <label>
          Pattern (regular expression)
          <input value={draft.pattern} onChange={(e) => onChange({ ...draft, pattern: e.target.value })} placeholder="^orders\." required />
        </label>
        <label>
          Apply to
          <select value={draft.applyTo} onChange={(e) => onChange({ ...draft, applyTo: e.target.value as PolicyDraft['applyTo'] })}>
            <option value="queues">queues</option>
            <option value="exchanges">exchanges</option>
            <option value="all">queues and exchanges</option>
          </select>
        </label>
        <label>
          Priority
          <input type="number" step={1} value={draft.priority} onChange={(e) => onChange({ ...draft, priority: e.target.value })} required />
        </label>
      </div>
      <fieldset>
        <legend>Definition</legend>
        {draft.rows.map((row, index) => (
          <div className="actions" key={index}>
            <label>
              Key
              <select value={row.key} onChange={(e) => setRow(index, { key: e.target.value })} aria-label={`Key ${index + 1}`}>
                {!offered.some((k) => k.key === row.key) && <option value={row.key}>{row.key}</option>}
                {offered.map((k) => (
                  <option key={k.key} value={k.key}>
                    {k.key}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Value
              <input
                value={row.value}
                onChange={(e) => setRow(index, { value: e.target.value })}
                aria-label={`Value ${index + 1}`}
                placeholder={offered.find((k) => k.key === row.key)?.help}
              />
            </label>
            <button type="button" onClick={() => onChange({ ...draft, rows: draft.rows.filter((_, i) => i !== index) })} aria-label={`Remove key ${index + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => onChange({ ...draft, rows: [...draft.rows, { key: offered[0]?.key ?? 'max-length', value: '' }] })}>
          Add key
        </button>
      </fieldset>
      <button type="submit" className="primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save policy'}
      </button>
    </form>
  );
}
