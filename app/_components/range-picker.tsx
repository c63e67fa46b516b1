'use client';

/** What a chart shows: its live window, or the last hour, day or week from the broker's history. */
export type ChartRange = 'live' | '1h' | '24h' | '7d';

export const HISTORY_RANGES = [
  { range: '1h', label: '1 h' },
  { range: '24h', label: '24 h' },
  { range: '7d', label: '7 d' },
] as const;

/** The range buttons of a chart: "Live" and the history ranges. */
export function RangePicker({ value, onChange, label }: { value: ChartRange; onChange: (r: ChartRange) => void; label: string }) {
  return (
    <span className="range-picker" role="group" aria-label={`${label} range`}>
      {[{ range: 'live' as const, label: 'Live' }, ...HISTORY_RANGES].map((r) => (
        <button
          key={r.range}
          type="button"
          aria-pressed={value === r.range}
          className={value === r.range ? 'primary' : undefined}
          onClick={() => onChange(r.range)}
        >
          {r.label}
        </button>
      ))}
    </span>
  );
}
