'use client';

export interface HeaderRow {
  key: string;
  value: string;
  type: 'string' | 'number' | 'boolean';
}

/** Editable key/value rows for message headers (or header-exchange binding arguments). */
export function HeaderRows({ rows, onChange, label = 'Headers' }: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void; label?: string }) {
  const set = (i: number, patch: Partial<HeaderRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="header-rows">
      <legend>{label}</legend>
      {rows.map((r, i) => (
        <div key={i} className="actions">
          <input aria-label={`${label} ${i + 1} name`} placeholder="name" value={r.key} onChange={(e) => set(i, { key: e.target.value })} />
          <input aria-label={`${label} ${i + 1} value`} placeholder="value" value={r.value} onChange={(e) => set(i, { value: e.target.value })} />
          <select aria-label={`${label} ${i + 1} type`} value={r.type} onChange={(e) => set(i, { type: e.target.value as HeaderRow['type'] })}>
            <option value="string">text</option>
            <option value="number">number</option>
            <option value="boolean">true/false</option>
          </select>
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { key: '', value: '', type: 'string' }])}>
        Add {label === 'Headers' ? 'header' : 'argument'}
      </button>
    </fieldset>
  );
}
