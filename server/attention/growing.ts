/**
 * Rule: a queue whose depth grows (more comes in than goes out), with the
 * time until it is full at that rate: until x-max-length (ready messages), or
 * x-max-length-bytes, or, for a durable queue, the disk alarm's limit, taking
 * the nearest. Full within FULL_SOON_MS is critical: past the limit messages
 * are dropped, dead-lettered or refused, and at the disk limit every
 * publisher is blocked. A dead-letter queue that grows is left to its own
 * rule (dead-letters.ts).
 */
import { duration, rate } from './figures';
import type { Finding } from './finding';
import type { DiskHeadroom, QueueView } from './queue-view';

/** Below this a queue is steady, give or take a message now and then. */
export const MIN_GROWTH_PER_SECOND = 0.5;
export const FULL_SOON_MS = 15 * 60_000;

export interface TimeToFull {
  limit: 'x-max-length' | 'x-max-length-bytes' | 'disk';
  ms: number;
}

export function timeToFull(q: QueueView, growth: number, disk: DiskHeadroom): TimeToFull | null {
  const bytesPerMessage = q.ready > 0 ? q.readyBytes / q.ready : 0;
  const bytesPerSecond = growth * bytesPerMessage;
  const candidates: TimeToFull[] = [];
  if (q.maxLength !== null) candidates.push({ limit: 'x-max-length', ms: (Math.max(0, q.maxLength - q.ready) / growth) * 1000 });
  if (q.maxLengthBytes !== null && bytesPerSecond > 0)
    candidates.push({ limit: 'x-max-length-bytes', ms: (Math.max(0, q.maxLengthBytes - q.readyBytes) / bytesPerSecond) * 1000 });
  if (q.durable && disk !== null && bytesPerSecond > 0) candidates.push({ limit: 'disk', ms: (Math.max(0, disk) / bytesPerSecond) * 1000 });
  return candidates.reduce<TimeToFull | null>((soonest, c) => (soonest === null || c.ms < soonest.ms ? c : soonest), null);
}

const LIMIT_TEXT = { 'x-max-length': 'its x-max-length', 'x-max-length-bytes': 'its x-max-length-bytes', disk: 'the disk limit' } as const;

export function growingQueue(q: QueueView, disk: DiskHeadroom): Finding | null {
  const growth = q.growthPerSecond;
  if (growth === null || growth < MIN_GROWTH_PER_SECOND || q.deadLetterQueue) return null;
  const full = timeToFull(q, growth, disk);
  const soon = full !== null && full.ms <= FULL_SOON_MS;
  const when =
    full === null ? 'no length limit' : full.ms === 0 ? `at ${LIMIT_TEXT[full.limit]} now` : `full in ${duration(full.ms)} (${LIMIT_TEXT[full.limit]})`;
  return {
    kind: 'growing',
    severity: soon ? 'critical' : 'warning',
    target: { kind: 'queue', vhost: q.vhost, name: q.name },
    summary: `Growing ${rate(growth)} (in ${rate(q.incomingPerSecond)}, acked ${rate(q.ackPerSecond)}), ${when}`,
    // The sooner full, the worse; without a limit, the faster growing.
    urgency: soon ? -full.ms : growth,
  };
}
