'use client';

/** What a chart shows: its live window, or the last hour, day or week from the broker's history. */
export type ChartRange = 'live' | '1h' | '24h' | '7d';

export const HISTORY_RANGES = [
  { range: '1h', label: '1 h' },
  { range: '24h', label: '24 h' },
  { range: '7d', label: '7 d' },
] as const;

/** "Live" and the history ranges: what a chart with a live window offers. */
export const CHART_RANGES: readonly { range: ChartRange; label: string }[] = [{ range: 'live', label: 'Live' }, ...HISTORY_RANGES];

/** The range buttons of a chart, one pressed. */
export function RangePicker<R extends string | number>({
  value,
  onChange,
  label,
  options,
}: {
  value: R;
  onChange: (r: R) => void;
  label: string;
  options: readonly { range: R; label: string }[];
}) {
  return (
    <span className="range-picker" role="group" aria-label={`${label} range`}>
      {options.map((r) => (
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
