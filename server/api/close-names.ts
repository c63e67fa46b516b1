/**
 * Names close to one that was not found, for "did you mean": by edit distance
 * (ignoring case), at most a third of the name's length apart, closest first.
 */
export function closeNames(wanted: string, names: Iterable<string>, limit = 5): string[] {
  const target = wanted.toLowerCase();
  const most = Math.max(2, Math.ceil(target.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const name of names) {
    const d = editDistance(target, name.toLowerCase(), most);
    if (d <= most && name !== wanted) scored.push({ name, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** Levenshtein distance, giving up (returning most + 1) once it exceeds `most`. */
function editDistance(a: string, b: string, most: number): number {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > most) return most + 1;
    prev = row;
  }
  return prev[b.length]!;
}
