/**
 * What an import says, object by object: one line per object of the file
 * (or per problem with the file itself), each with its outcome and, where
 * there is something to say, why or what to do. A file with any `error`
 * line is not applied at all.
 */

export type Outcome =
  /** Not there yet: made by the import (or, in a preview, would be). */
  | 'created'
  /** Already there, exactly as the file has it. */
  | 'identical'
  /** Already there with other settings: left as it is; `detail` says what differs. */
  | 'different'
  /** Not imported; `detail` says why. */
  | 'skipped'
  /** Stops the whole file; `detail` says what is wrong and how to fix it. */
  | 'error';

export type ObjectKind =
  | 'file'
  | 'user'
  | 'vhost'
  | 'permission'
  | 'topic permission'
  | 'parameter'
  | 'global parameter'
  | 'policy'
  | 'queue'
  | 'exchange'
  | 'binding';

export interface ReportLine {
  kind: ObjectKind;
  /** Which object, as RabbitMQ names it: "queue 'q' in vhost '/'". */
  object: string;
  outcome: Outcome;
  detail?: string;
}

export interface DefinitionsReport {
  /** No line is an error: the file can be applied. */
  valid: boolean;
  /** The changes were made (false for a preview, and for a file that failed validation). */
  applied: boolean;
  /** `rabbit_version` (or `rabbitmq_version`) of the file, when it has one. */
  rabbitVersion: string | null;
  counts: Record<Outcome, number>;
  lines: ReportLine[];
}

export function buildReport(lines: ReportLine[], rabbitVersion: string | null, applied: boolean): DefinitionsReport {
  const counts: Record<Outcome, number> = { created: 0, identical: 0, different: 0, skipped: 0, error: 0 };
  for (const line of lines) counts[line.outcome]++;
  return { valid: counts.error === 0, applied: applied && counts.error === 0, rabbitVersion, counts, lines };
}

/** The report as lines of text, e.g. for the start-up log: "error: queue 'q' in vhost '/': ...". */
export function describeProblems(report: DefinitionsReport): string[] {
  return report.lines.filter((l) => l.outcome === 'error').map((l) => `${l.object}: ${l.detail ?? 'invalid'}`);
}
