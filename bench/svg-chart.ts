// A grouped bar chart as plain SVG, for the benchmark results: one group per
// x label, one bar per series (broker), each bar labelled with its value.

export interface BarGroup {
  label: string;
  /** Series name → value; a missing or NaN value draws no bar. */
  values: Record<string, number | undefined>;
}

const COLOURS = ['#2f6fde', '#e8743b', '#19a979', '#945ecf'];
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(0)}k` : v >= 100 ? v.toFixed(0) : v.toPrecision(3));

export function barChart(opts: { title: string; unit: string; series: string[]; groups: BarGroup[] }): string {
  const { series, groups } = opts;
  const height = 300;
  const top = 48;
  const bottom = 50;
  const left = 60;
  const width = Math.max(520, left + 20 + opts.unit.length * 6, 90 + groups.length * (series.length * 38 + 30));
  const plot = height - top - bottom;
  const max = Math.max(1e-9, ...groups.flatMap((g) => series.map((s) => g.values[s] ?? 0).filter((v) => Number.isFinite(v))));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${xml(opts.title)}</text>`,
    `<text x="${left}" y="36" fill="#555">${xml(opts.unit)}</text>`,
    `<line x1="${left}" y1="${top + plot}" x2="${width - 10}" y2="${top + plot}" stroke="#888"/>`,
  ];
  series.forEach((s, k) => {
    const x = left + k * 110;
    const y = height - 18;
    out.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${COLOURS[k % COLOURS.length]}"/>`, `<text x="${x + 14}" y="${y}">${xml(s)}</text>`);
  });
  groups.forEach((g, i) => {
    const x0 = left + 20 + i * (series.length * 38 + 30);
    series.forEach((s, k) => {
      const v = g.values[s];
      if (v === undefined || !Number.isFinite(v)) return;
      const h = (v / max) * plot;
      const x = x0 + k * 38;
      out.push(
        `<rect x="${x}" y="${(top + plot - h).toFixed(1)}" width="32" height="${h.toFixed(1)}" fill="${COLOURS[k % COLOURS.length]}"/>`,
        `<text x="${x + 16}" y="${(top + plot - h - 3).toFixed(1)}" text-anchor="middle">${short(v)}</text>`,
      );
    });
    out.push(`<text x="${x0 + (series.length * 38 - 6) / 2}" y="${top + plot + 16}" text-anchor="middle">${xml(g.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
