// The streams part of the Broker facade (broker.streams): what the console
// and its API ask about streams. Every method finds the stream by vhost and
// name: 404 when it does not exist (or was deleted), 406 when the queue of
// that name is not a stream.

import type { EngineContext } from '../engine-context';
import { BrokerError, notFound, resourceName } from '../errors';
import type { LagPoint } from './lag-history';
import { resolveOffset } from './stream-arguments';
import { StreamQueue } from './stream-queue';
import type { StreamGroupInfo, StreamPage, StreamPosition, StreamStats } from './stream-types';

/** Most messages one page may hold. */
const MAX_PAGE = 1000;

export class StreamConsole {
  constructor(private readonly engine: EngineContext) {}

  /** Every stream (of one vhost, or all): size, segments, first/last offset and time, counters. */
  list(vhost?: string): StreamStats[] {
    const out: StreamStats[] = [];
    for (const v of this.engine.vhostsOf(vhost)) {
      for (const queue of v.queues.values()) if (queue instanceof StreamQueue) out.push(queue.streamStats());
    }
    return out;
  }

  get(vhost: string, name: string): StreamStats {
    return this.stream(vhost, name).streamStats();
  }

  /** Up to `limit` messages from a position (first, last, next, an offset, a timestamp), with the offsets to page on. */
  read(vhost: string, name: string, from: StreamPosition, limit: number): StreamPage {
    const store = this.stream(vhost, name).store;
    const size = Math.max(1, Math.min(limit, MAX_PAGE));
    const start = resolveOffset(from, store);
    const messages = store.read(start, size);
    const first = store.firstOffset;
    const last = messages.at(-1);
    return {
      messages,
      previousOffset: start > first ? Math.max(first, start - size) : null,
      nextOffset: last !== undefined ? last.offset + 1 : start,
      firstOffset: first,
      tailOffset: store.nextOffset,
    };
  }

  /** Consumer groups with committed offset, consumers and lag (messages, bytes, ms). */
  groups(vhost: string, name: string): StreamGroupInfo[] {
    return this.stream(vhost, name).groupInfos();
  }

  /** A group's lag sampled once a second over the last 15 minutes (since `since` epoch ms), oldest first. */
  lagHistory(vhost: string, name: string, group: string, since?: number): LagPoint[] {
    return this.stream(vhost, name).lagHistory(group, since);
  }

  /** Sets where a group resumes; returns that offset. 406 while a consumer of the group is connected. */
  resetGroup(vhost: string, name: string, group: string, to: StreamPosition): number {
    return this.stream(vhost, name).resetGroup(group, to);
  }

  private stream(vhost: string, name: string): StreamQueue {
    const queue = this.engine.vhost(vhost).queues.get(name);
    if (!queue) throw notFound('queue', name, vhost);
    if (!(queue instanceof StreamQueue)) {
      throw new BrokerError('PRECONDITION_FAILED', `${resourceName('queue', name, vhost)} is not a stream (x-queue-type: stream)`);
    }
    return queue;
  }
}
