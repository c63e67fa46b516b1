/**
 * Orders the findings worst first and makes one row per object: an object
 * with several findings (a queue that grows and whose consumers are
 * saturated) shows once, at the place of its worst one, with the others as
 * further reasons.
 *
 * Order: severity (critical, warning, notice), then the kind in the order of
 * KIND_ORDER (an alarm before a growing queue before dead letters...), then
 * urgency, bigger first.
 */
import type { Finding, FindingKind, FindingTarget, Severity } from './finding';

const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'notice'];
const KIND_ORDER: FindingKind[] = ['alarm', 'growing', 'dead-letters', 'stream-behind', 'saturated', 'no-consumer'];

export interface AttentionRow {
  target: FindingTarget;
  severity: Severity;
  kind: FindingKind;
  summary: string;
  /** The object's other findings, worst first. */
  alsoSummaries: string[];
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.urgency - a.urgency
  );
}

function targetKey(t: FindingTarget): string {
  return t.kind === 'broker' ? `broker\n${t.source}` : `${t.kind}\n${t.vhost}\n${t.name}${t.kind === 'stream' ? `\n${t.group}` : ''}`;
}

export function rank(findings: Finding[]): AttentionRow[] {
  const rows = new Map<string, AttentionRow>();
  for (const f of [...findings].sort(compareFindings)) {
    const key = targetKey(f.target);
    const row = rows.get(key);
    if (row) row.alsoSummaries.push(f.summary);
    else rows.set(key, { target: f.target, severity: f.severity, kind: f.kind, summary: f.summary, alsoSummaries: [] });
  }
  return [...rows.values()];
}
