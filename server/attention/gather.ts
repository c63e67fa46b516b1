/**
 * Reads what the rules need from the broker (through its facade) and the
 * broker sampler, runs every rule and ranks what they found. The only file of
 * this folder that knows where the figures come from; the rules are pure.
 */
import { deadLetterQueues } from '../api/dead-letter-queues';
import type { Broker } from '../broker/broker';
import type { QueueStats } from '../broker/types';
import type { BrokerSampler } from '../metrics/broker-sampler';
import type { Services } from '../services';
import { alarmRaised } from './alarms';
import { deadLettersArriving } from './dead-letters';
import type { Finding } from './finding';
import { growingQueue } from './growing';
import { backlogWithoutConsumer } from './no-consumer';
import type { DiskHeadroom, QueueView } from './queue-view';
import { type AttentionRow, rank } from './rank';
import { consumersSaturated } from './saturated';
import { type GroupView, streamGroupBehind } from './stream-behind';

const QUEUE_RULES: ((q: QueueView, disk: DiskHeadroom) => Finding | null)[] = [growingQueue, deadLettersArriving, consumersSaturated, backlogWithoutConsumer];
/** The stretch of a group's lag history that tells whether it falls behind. */
const GROUP_TREND_MS = 60_000;

const limitOf = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

function queueViews(broker: Broker, sampler: BrokerSampler, queues: QueueStats[], now: number): QueueView[] {
  const key = (vhost: string, name: string) => `${vhost}\n${name}`;
  const dead = new Set(deadLetterQueues(broker, queues).map((q) => key(q.vhost, q.name)));
  const consumers = new Map<string, { prefetch: number; unacked: number }[]>();
  for (const c of broker.listConsumers()) {
    if (!c.active) continue;
    const k = key(c.vhost, c.queue);
    const list = consumers.get(k) ?? [];
    list.push({ prefetch: c.prefetchCount, unacked: c.unacked });
    consumers.set(k, list);
  }
  // An empty queue has nothing any rule looks for (growing needs depth to have risen), so thousands of idle queues cost little.
  const held = queues.filter((q) => q.type !== 'stream' && q.ready + q.unacked > 0);
  return held.map((q) => {
    const rates = sampler.queueRates(q.vhost, q.name);
    return {
      vhost: q.vhost,
      name: q.name,
      durable: q.durable,
      ready: q.ready,
      unacked: q.unacked,
      readyBytes: q.readyBytes,
      consumers: q.consumers,
      paused: q.paused,
      growthPerSecond: sampler.queueGrowth(q.vhost, q.name, undefined, now),
      incomingPerSecond: rates.incoming,
      ackPerSecond: rates.ack,
      maxLength: limitOf(q.effectiveArguments['x-max-length']),
      maxLengthBytes: limitOf(q.effectiveArguments['x-max-length-bytes']),
      deadLetterQueue: dead.has(key(q.vhost, q.name)),
      activeConsumers: consumers.get(key(q.vhost, q.name)) ?? [],
    };
  });
}

function groupViews(broker: Broker, vhosts: (vhost: string) => boolean, now: number): GroupView[] {
  return broker.streams
    .list()
    .filter((s) => vhosts(s.vhost))
    .flatMap((s) =>
      broker.streams.groups(s.vhost, s.name).map((g) => ({
        vhost: s.vhost,
        stream: s.name,
        group: g.name,
        consumers: g.consumers,
        lagMessages: g.lag.messages,
        lagMs: g.lag.ms,
        lagMessagesBefore: broker.streams.lagHistory(s.vhost, s.name, g.name, now - GROUP_TREND_MS)[0]?.messages ?? null,
      })),
    );
}

function diskHeadroom(services: Services): DiskHeadroom {
  const disk = services.disk?.();
  return disk?.freeBytes === undefined ? null : disk.freeBytes - disk.limitBytes;
}

/** What needs attention now in the vhosts `canSee` allows, worst first, one row per object. */
export function needsAttention(services: Services, canSee: (vhost: string) => boolean, now = Date.now()): AttentionRow[] {
  const { broker, brokerSampler } = services;
  const disk = diskHeadroom(services);
  const findings: Finding[] = services.alarms().map(alarmRaised);
  const queues = broker.listQueues().filter((q) => canSee(q.vhost));
  for (const q of queueViews(broker, brokerSampler, queues, now)) {
    for (const rule of QUEUE_RULES) {
      const f = rule(q, disk);
      if (f) findings.push(f);
    }
  }
  for (const g of groupViews(broker, canSee, now)) {
    const f = streamGroupBehind(g);
    if (f) findings.push(f);
  }
  return rank(findings);
}
