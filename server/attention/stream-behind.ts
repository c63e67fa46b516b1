/**
 * Rule: a stream consumer group falling behind: its lag in messages grew over
 * the last minute of the group's lag history, or it is more than
 * LONG_BEHIND_MS behind the tail, or nothing consumes for it while it lags.
 */
import { count, duration } from './figures';
import type { Finding } from './finding';

export const LONG_BEHIND_MS = 60_000;

export interface GroupView {
  vhost: string;
  stream: string;
  group: string;
  consumers: number;
  lagMessages: number;
  lagMs: number;
  /** Lag in messages at the start of the last minute's history; null without one. */
  lagMessagesBefore: number | null;
}

export function streamGroupBehind(g: GroupView): Finding | null {
  if (g.lagMessages === 0) return null;
  const growing = g.lagMessagesBefore !== null && g.lagMessages > g.lagMessagesBefore;
  if (!growing && g.lagMs < LONG_BEHIND_MS && g.consumers > 0) return null;
  const why = g.consumers === 0 ? 'no consumer' : growing ? `lag up by ${count(g.lagMessages - (g.lagMessagesBefore ?? 0))} in the last minute` : 'lag steady';
  return {
    kind: 'stream-behind',
    severity: 'warning',
    target: { kind: 'stream', vhost: g.vhost, name: g.stream, group: g.group },
    summary: `Group ${g.group} is ${count(g.lagMessages)} messages (${duration(g.lagMs)}) behind, ${why}`,
    urgency: g.lagMs,
  };
}
