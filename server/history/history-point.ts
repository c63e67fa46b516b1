/**
 * What the metric history keeps of one object for one minute: the averages
 * of its per-second samples. One shape for the broker's totals, a queue and a
 * stream's consumer group; the fields an object does not have are null.
 */

export type SeriesKind = 'broker' | 'queue' | 'group';

/** Which object a series is: the broker (vhost and name empty), a queue, or a group of a stream. */
export interface SeriesRef {
  kind: SeriesKind;
  vhost: string;
  name: string;
  group: string;
}

export interface HistoryValues {
  ready: number;
  unacked: number;
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  consumers: number;
  lagMessages: number | null;
  lagMs: number | null;
  oldestAgeMs: number | null;
  redeliverRate: number | null;
  returnRate: number | null;
  deadLetterRate: number | null;
}

export const VALUE_KEYS = [
  'ready',
  'unacked',
  'publishRate',
  'deliverRate',
  'ackRate',
  'consumers',
  'lagMessages',
  'lagMs',
  'oldestAgeMs',
  'redeliverRate',
  'returnRate',
  'deadLetterRate',
] as const satisfies readonly (keyof HistoryValues)[];

/** One point of a series: epoch ms of the minute's start (or of the second, for live points) and the values. */
export interface HistoryPoint extends HistoryValues {
  at: number;
}

export const MINUTE_MS = 60_000;

export function seriesKey(ref: SeriesRef): string {
  return `${ref.kind}\u0000${ref.vhost}\u0000${ref.name}\u0000${ref.group}`;
}

export const BROKER_SERIES: SeriesRef = Object.freeze({ kind: 'broker', vhost: '', name: '', group: '' });
