/**
 * One thing the on-call engineer should look at now, as the overview's
 * "Needs attention" lists it. Each rule (one file each beside this one) looks
 * at one kind of trouble; rank.ts orders what they found.
 *
 * Severity first: `critical` is hurting now or within minutes (an alarm
 * blocks publishers, a queue fills up soon), `warning` is getting worse (a
 * queue grows, dead letters arrive, a stream group falls behind), `notice` is
 * stuck but not worse (a backlog nobody consumes, consumers at their prefetch).
 * Within a severity, `urgency` orders findings of one kind (bigger is worse).
 */
export type Severity = 'critical' | 'warning' | 'notice';

export type FindingKind = 'alarm' | 'growing' | 'dead-letters' | 'stream-behind' | 'saturated' | 'no-consumer';

/** What a finding is about, for the console to link to. */
export type FindingTarget =
  | { kind: 'queue'; vhost: string; name: string }
  | { kind: 'stream'; vhost: string; name: string; group: string }
  | { kind: 'broker'; source: string };

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  target: FindingTarget;
  /** One line a person reads: what is wrong, with its figures. */
  summary: string;
  urgency: number;
}
