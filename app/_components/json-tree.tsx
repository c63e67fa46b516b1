'use client';

import { useState, type ReactNode } from 'react';

/** Nodes deeper than this start collapsed. */
const OPEN_DEPTH = 2;
/** Children shown at once per node; more appear a page at a time. */
const PAGE = 100;

/**
 * A JSON value as a tree that renders only what is open: a collapsed node
 * has no child elements, an open one shows its first PAGE children and a
 * button for the next PAGE. A 1 MB document with 250,000 values thus starts
 * with a few hundred elements instead of all of them.
 */
export function JsonTree({ value }: { value: unknown }) {
  return <JsonNode value={value} depth={0} />;
}

function JsonNode({ value, name, depth }: { value: unknown; name?: string; depth: number }) {
  const label = name !== undefined ? <span className="json-key">{JSON.stringify(name)}: </span> : null;
  if (value !== null && typeof value === 'object') return <JsonBranch value={value as object} label={label} depth={depth} />;
  return (
    <div>
      {label}
      <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </div>
  );
}

function JsonBranch({ value, label, depth }: { value: object; label: ReactNode; depth: number }) {
  const [open, setOpen] = useState(depth < OPEN_DEPTH);
  const [shown, setShown] = useState(PAGE);
  const isArray = Array.isArray(value);
  const keys = isArray ? null : Object.keys(value);
  const count = isArray ? (value as unknown[]).length : keys!.length; // keys is set when not an array
  const [start, end] = isArray ? ['[', ']'] : ['{', '}'];
  const children: ReactNode[] = [];
  if (open) {
    for (let i = 0; i < Math.min(count, shown); i++) {
      if (isArray) children.push(<JsonNode key={i} value={(value as unknown[])[i]} depth={depth + 1} />);
      else {
        const k = keys![i]!;
        children.push(<JsonNode key={k} name={k} value={(value as Record<string, unknown>)[k]} depth={depth + 1} />);
      }
    }
  }
  return (
    <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="json-node">
      <summary>
        {label}
        {start}
        <span className="muted">
          {' '}
          {count.toLocaleString()} {isArray ? 'items' : 'keys'}{' '}
        </span>
        {!open && end}
      </summary>
      {open && (
        <>
          <div className="json-children">
            {children}
            {count > shown && (
              <button type="button" onClick={() => setShown(shown + PAGE)}>
                Show {Math.min(PAGE, count - shown).toLocaleString()} more ({(count - shown).toLocaleString()} not shown)
              </button>
            )}
          </div>
          {end}
        </>
      )}
    </details>
  );
}
