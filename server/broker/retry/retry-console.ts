// What the console reads about retries, through Broker.retries: each queue's
// tiers (native x-retry-tiers, declared or set by a policy, or a hand-built TTL chain recognised by
// ttl-chains.ts) with per-tier count, oldest and next due time, and the
// messages waiting in a tier. Read-only.

import type { EngineContext } from '../engine-context';
import { BrokerError } from '../errors';
import type { Queue } from '../queue/queue';
import type { FieldTable } from '../types';
import type { Vhost } from '../vhost';
import type { HeldMessage } from './holding-area';
import { ttlChainTiers, type TtlChainTier } from './ttl-chains';

export interface RetryTierStats {
  /** 0-based; tier 0 is the first retry. */
  index: number;
  delayMs: number;
  /** The delay as declared ("30s"), or "<n>ms" for a TTL chain. */
  label: string;
  /** Where its messages wait: the holding area's reserved name, or the TTL queue of a chain. */
  holding: string;
  count: number;
  bytes: number;
  /** When the longest-waiting message entered the tier (epoch ms), or null when empty. */
  oldestAt: number | null;
  /** When the next message is due back (epoch ms), or null when empty. */
  nextDueAt: number | null;
}

export interface RetryQueueInfo {
  vhost: string;
  queue: string;
  /** 'x-retry-tiers' (native, declared), 'policy' (native, from policy `policy`), 'ttl-chain' (TTL queues dead-lettering back), or null (no retries). */
  source: 'x-retry-tiers' | 'policy' | 'ttl-chain' | null;
  /** The policy that applies to the queue, or null. */
  policy: string | null;
  /** Where messages go after the last tier: the dead-letter exchange ('' with the .dlq queue for native tiers without one). */
  deadLetterExchange: string | null;
  deadLetterRoutingKey: string | null;
  tiers: RetryTierStats[];
}

export class RetryConsole {
  constructor(private readonly engine: EngineContext) {}

  /** Every queue that has retry tiers, native or as a TTL chain. */
  list(vhost?: string): RetryQueueInfo[] {
    const out: RetryQueueInfo[] = [];
    for (const v of this.vhosts(vhost)) {
      for (const queue of v.queues.values()) {
        const info = this.describe(v, queue);
        if (info.source !== null) out.push(info);
      }
    }
    return out;
  }

  /** One queue's tiers (an empty list when it has none). 404 when the queue is missing. */
  get(vhost: string, queue: string): RetryQueueInfo {
    const v = this.vhost(vhost);
    return this.describe(v, v.queue(queue));
  }

  /** The messages waiting in tier `tier` (0-based), due first first, without taking them. */
  browseTier(vhost: string, queue: string, tier: number, options: { offset?: number; limit: number }): HeldMessage[] {
    const v = this.vhost(vhost);
    const work = v.queue(queue);
    const offset = options.offset ?? 0;
    if (work.retry !== null) return this.area(work, tier).browse(offset, options.limit);
    const chain = ttlChainTiers(v, work);
    const link = chain[tier];
    if (link === undefined) throw missingTier(work, tier, chain.length);
    return v
      .queue(link.queue)
      .browse(offset, options.limit)
      .map((m) => {
        const dueAt = m.expiresAt ?? 0;
        return {
          position: m.position,
          seq: m.seq,
          attempt: rejections(m.properties.headers, work.name),
          heldSince: dueAt - link.delayMs,
          dueAt,
          exchange: m.exchange,
          routingKey: m.routingKey,
          properties: m.properties,
          body: m.body,
        };
      });
  }

  private describe(v: Vhost, queue: Queue): RetryQueueInfo {
    const base = {
      vhost: v.name,
      queue: queue.name,
      deadLetterExchange: queue.config.deadLetterExchange,
      deadLetterRoutingKey: queue.config.deadLetterRoutingKey,
      policy: queue.config.policy,
    };
    if (queue.retry !== null) {
      const tiers = queue.retry.areas.map((area): RetryTierStats => {
        const nextDueAt = area.nextDueAt;
        return {
          index: area.index,
          delayMs: area.delay.ms,
          label: area.delay.label,
          holding: area.name,
          count: area.count,
          bytes: area.bytes,
          oldestAt: nextDueAt === null ? null : nextDueAt - area.delay.ms,
          nextDueAt,
        };
      });
      const declared = queue.settings.arguments['x-retry-tiers'] !== undefined;
      return { ...base, source: declared ? 'x-retry-tiers' : 'policy', tiers };
    }
    const chain = ttlChainTiers(v, queue);
    if (chain.length === 0) return { ...base, source: null, tiers: [] };
    return { ...base, source: 'ttl-chain', tiers: chain.map((link, index) => chainTierStats(v.queue(link.queue), link, index)) };
  }

  private area(work: Queue, tier: number) {
    const areas = work.retry?.areas ?? [];
    const area = areas[tier];
    if (area === undefined) throw missingTier(work, tier, areas.length);
    return area;
  }

  private vhost(name: string): Vhost {
    return this.engine.vhost(name);
  }

  private vhosts(name: string | undefined): Vhost[] {
    return this.engine.vhostsOf(name);
  }
}

function chainTierStats(holding: Queue, link: TtlChainTier, index: number): RetryTierStats {
  // A TTL queue is FIFO with one TTL: its head is both the oldest and the next due.
  const head = holding.browse(0, 1)[0];
  const nextDueAt = head?.expiresAt ?? null;
  return {
    index,
    delayMs: link.delayMs,
    label: `${link.delayMs}ms`,
    holding: link.queue,
    count: holding.messageCount,
    bytes: holding.stats().readyBytes,
    oldestAt: nextDueAt === null ? null : nextDueAt - link.delayMs,
    nextDueAt,
  };
}

/** How often a message of a TTL chain was rejected by its work queue (its attempt number). */
function rejections(headers: FieldTable | undefined, work: string): number {
  const deaths = headers?.['x-death'];
  if (!Array.isArray(deaths)) return 0;
  const entry = (deaths as FieldTable[]).find((d) => d.queue === work && d.reason === 'rejected');
  return Number(entry?.count ?? 0);
}

function missingTier(work: Queue, tier: number, count: number): BrokerError {
  return new BrokerError('NOT_FOUND', `queue '${work.name}' in vhost '${work.vhost}' has ${count} retry tiers; no tier ${tier}`);
}
