/** How the findings' summaries write their figures: rates to one decimal, durations in their two largest units. */
export function rate(perSecond: number): string {
  return `${perSecond.toLocaleString('en', { maximumFractionDigits: perSecond < 10 ? 1 : 0 })} msg/s`;
}

export function count(n: number): string {
  return n.toLocaleString('en');
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
