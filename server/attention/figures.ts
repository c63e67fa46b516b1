/** How the findings' summaries write their figures: rates to one decimal, durations in their two largest units. */

// One formatter each, made once: thousands of findings a second would pay for toLocaleString's set-up each time.
const WHOLE = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const TENTHS = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function rate(perSecond: number): string {
  return `${(perSecond < 10 ? TENTHS : WHOLE).format(perSecond)} msg/s`;
}

export function count(n: number): string {
  return WHOLE.format(n);
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest < size && !(size === 1 && parts.length === 0)) continue;
    parts.push(`${Math.floor(rest / size)} ${unit}`);
    rest %= size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
