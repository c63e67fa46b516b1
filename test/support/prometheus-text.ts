/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: every line must be a HELP, a TYPE, a comment, blank, or a sample of
 * a family whose TYPE came first; names, label names and escapes must be
 * valid, a series may appear once, and a histogram's buckets must be
 * cumulative with +Inf equal to _count. It throws naming the line otherwise.
 * And `promqlMetricNames`: the metric names a PromQL expression reads.
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | undefined;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: "${text}" is not a number`);
  return Number(text);
}

/** Parses `{a="1",b="x\"y"}` from `text` at `start` (the "{"); returns the labels and the index after "}". */
function parseLabels(text: string, start: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new Error(`${where}: a label without "="`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label "${name}" value is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape "\\${next}" in label "${name}"`);
      } else {
        value += text[j];
      }
    }
    if (j >= text.length) throw new Error(`${where}: label "${name}" value is not closed`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected "," or "}" after label "${name}"`);
  }
  return { labels, end: i + 1 };
}

function familyOf(families: Map<string, PromFamily>, sample: string): PromFamily | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  const family = families.get(base);
  return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const series = new Set<string>();
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the text does not end with a newline');
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1} (${line.slice(0, 80)})`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name = '', rest = ''] = m; // the name always takes part: '' is never a metric name
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
      const family = families.get(name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
        if (family?.samples.length || (family && family.type !== 'untyped')) throw new Error(`${where}: TYPE of "${name}" given twice or after its samples`);
        families.set(name, { name, type: rest as PromFamily['type'], help: family?.help, samples: family?.samples ?? [] });
      } else {
        if (family?.help !== undefined) throw new Error(`${where}: HELP of "${name}" given twice`);
        families.set(name, { name, type: family?.type ?? 'untyped', help: rest, samples: family?.samples ?? [] });
      }
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd === -1) throw new Error(`${where}: a sample without a value`);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, nameEnd, where);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`${where}: expected a value and at most a timestamp`);
    const value = parseValue(parts[0]!, where);
    const family = familyOf(families, name);
    if (!family) throw new Error(`${where}: sample of "${name}" before its family's TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: series given twice`);
    series.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: PromFamily): void {
  const groups = new Map<string, PromSample[]>();
  for (const s of family.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const samples of groups.values()) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    if (!inf || !count || !samples.some((s) => s.name === `${family.name}_sum`))
      throw new Error(`histogram ${family.name} lacks its +Inf bucket, _sum or _count`);
    if (inf.value !== count.value) throw new Error(`histogram ${family.name}: +Inf bucket ${inf.value} is not _count ${count.value}`);
    for (let i = 1; i < buckets.length; i++) {
      const previous = buckets[i - 1]!;
      const bucket = buckets[i]!;
      const le = bucket.labels.le;
      if (le === undefined) throw new Error(`histogram ${family.name}: a bucket without le`);
      if (Number(le.replace('+Inf', 'Infinity')) <= Number(previous.labels.le)) throw new Error(`histogram ${family.name}: buckets out of order`);
      if (bucket.value < previous.value) throw new Error(`histogram ${family.name}: buckets not cumulative`);
    }
  }
}

/** Every sample's value by series ("name{labels}"), for comparing two scrapes. */
export function seriesValues(families: Map<string, PromFamily>, types: PromFamily['type'][]): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of families.values()) {
    if (!types.includes(family.type)) continue;
    for (const s of family.samples) out.set(`${s.name}${JSON.stringify(s.labels)}`, s.value);
  }
  return out;
}

/** Words of PromQL that are not metric names when not followed by "(": aggregation modifiers and operators. */
const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names a PromQL expression (or a Grafana `label_values(...)`
 * query) reads: strings, label matchers, ranges, template variables and the
 * label lists of by/without/on/ignoring/group_left/group_right are taken
 * out; what remains that is not a function, a keyword or a number is a name.
 */
export function promqlMetricNames(expr: string): string[] {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ' ');
  // label_values(metric, label): the second argument is a label name.
  e = e.replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, ' $1 ');
  const names = new Set<string>();
  for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = e.slice(m.index + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    if (/^\d/.test(word) || /^e\d*$/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}
