'use client';

/** Where reading a stream starts, as the streams API takes it. */
export type StreamPosition = { kind: 'first' } | { kind: 'last' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; at: number };

/** The fields as typed: the offset and the time stay text until used. */
export interface PositionDraft {
  kind: StreamPosition['kind'];
  offset: string;
  /** A datetime-local value, e.g. 2026-11-22T14:00:00. */
  at: string;
}

export const FIRST_POSITION: PositionDraft = { kind: 'first', offset: '0', at: '' };

export function positionOf(draft: PositionDraft): StreamPosition {
  if (draft.kind === 'offset') return { kind: 'offset', offset: Number(draft.offset) };
  if (draft.kind === 'timestamp') return { kind: 'timestamp', at: new Date(draft.at).getTime() };
  return { kind: draft.kind };
}

/** Whether the offset is a whole number and the time a date, when they are used. */
export function positionIsValid(draft: PositionDraft): boolean {
  if (draft.kind === 'offset') return /^\d+$/.test(draft.offset);
  if (draft.kind === 'timestamp') return Number.isFinite(new Date(draft.at).getTime());
  return true;
}

/** A choice of first, last, an offset or a time, with the offset or time field it needs. */
export function PositionFields({ label, draft, onChange }: { label: string; draft: PositionDraft; onChange: (draft: PositionDraft) => void }) {
  return (
    <>
      <label>
        {label}
        <select value={draft.kind} onChange={(e) => onChange({ ...draft, kind: e.target.value as PositionDraft['kind'] })}>
          <option value="first">first</option>
          <option value="last">last</option>
          <option value="offset">offset</option>
          <option value="timestamp">time</option>
        </select>
      </label>
      {draft.kind === 'offset' && (
        <label>
          Offset
          <input
            inputMode="numeric"
            pattern="\d+"
            value={draft.offset}
            onChange={(e) => onChange({ ...draft, offset: e.target.value })}
            style={{ width: 100 }}
          />
        </label>
      )}
      {draft.kind === 'timestamp' && (
        <label>
          Time
          <input type="datetime-local" step={1} required value={draft.at} onChange={(e) => onChange({ ...draft, at: e.target.value })} />
        </label>
      )}
    </>
  );
}
