// Where a search reads from, a page at a time and without taking anything:
// a queue (Queue.browse), a retry tier's holding area (HoldingArea.browse),
// or a stream (its store's read from an offset).
//
// A live queue changes between two pages (consumers take from the head,
// requeues put messages back). Queues and tiers keep their ready messages in
// seq order (except priority queues, ordered by priority first), so a page
// resumes after the last seq read: found again by a binary search over
// positions when the head moved. Messages that arrive after the search
// started (seq above the last one then) are not read, so a busy queue cannot
// keep a search going for ever.

import { notFound } from '../errors';
import type { Queue } from '../queue/queue';
import type { HoldingArea } from '../retry/holding-area';
import { StreamQueue } from '../stream/stream-queue';
import type { Vhost } from '../vhost';
import type { SearchHit } from './search-types';

/** A message as read, before the search adds the time it looks at. */
export type SourceMessage = Omit<SearchHit, 'time'>;

export interface SearchSource {
  /** Messages there when the search started. */
  readonly total: number;
  /** The next page of at most `max` messages, in order; empty when everything was read. Queues hand out their browse results as they are (no copy per message). */
  read(max: number): SourceMessage[];
  /** The time a time range looks at (SearchQuery.from). */
  timeOf(message: SourceMessage): number | null;
}

/** 404 when the vhost has no queue, stream or holding area of that name. */
export function searchSource(vhost: Vhost, name: string): SearchSource {
  const area = vhost.holdingAreas.get(name);
  if (area !== undefined) return holdingAreaSource(area);
  const queue = vhost.queues.get(name);
  if (queue === undefined) throw notFound('queue', name, vhost.name);
  if (queue instanceof StreamQueue) return streamSource(queue);
  return queueSource(queue);
}

interface Browsable {
  readonly length: number;
  readonly gone: boolean;
  /** Seq of the entry at a position, or undefined past the end. */
  seqAt(position: number): number | undefined;
  page(offset: number, max: number): SourceMessage[];
}

/** Pages through a seq-ordered (or, with `seqOrdered` false, position-ordered) list. */
function pagedSource(list: Browsable, seqOrdered: boolean, lastSeqAtStart: number, timeOf: (message: SourceMessage) => number | null): SearchSource {
  let offset = 0;
  let lastSeq = -Infinity;
  let done = false;
  const firstAfter = (seq: number): number => {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((list.seqAt(mid) as number) <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  return {
    total: list.length,
    timeOf,
    read(max) {
      while (!done && !list.gone) {
        if (seqOrdered && offset > 0 && list.seqAt(offset - 1) !== lastSeq) offset = firstAfter(lastSeq);
        const page = list.page(offset, max);
        offset += page.length;
        if (page.length === 0) break;
        lastSeq = page[page.length - 1]!.seq;
        const kept = page.filter((hit) => hit.seq <= lastSeqAtStart);
        // In seq order, one message newer than the start means the rest are too.
        if (seqOrdered && kept.length < page.length) done = true;
        // A priority queue mixes newer messages in: a page of only those is skipped.
        if (kept.length > 0 || done) return kept;
      }
      done = true;
      return [];
    },
  };
}

function queueSource(queue: Queue): SearchSource {
  const stats = queue.stats();
  return pagedSource(
    {
      get length() {
        return queue.messageCount;
      },
      get gone() {
        return queue.deleted;
      },
      seqAt: (position) => queue.browse(position, 1)[0]?.seq,
      page: (offset, max) => queue.browse(offset, max),
    },
    queue.config.maxPriority === null,
    stats.nextSeq - 1,
    (m) => (m.properties.timestamp === undefined ? null : m.properties.timestamp * 1000),
  );
}

function holdingAreaSource(area: HoldingArea): SearchSource {
  const tail = area.count > 0 ? area.browse(area.count - 1, 1)[0]!.seq : 0;
  return pagedSource(
    {
      get length() {
        return area.count;
      },
      get gone() {
        return area.queue.deleted;
      },
      seqAt: (position) => area.browse(position, 1)[0]?.seq,
      page: (offset, max) =>
        area.browse(offset, max).map((m) => ({
          position: m.position,
          seq: m.seq,
          exchange: m.exchange,
          routingKey: m.routingKey,
          properties: m.properties,
          body: m.body,
          redelivered: true,
          time: m.heldSince,
        })),
    },
    true,
    tail,
    (m) => (m as SearchHit).time,
  );
}

function streamSource(stream: StreamQueue): SearchSource {
  const store = stream.store;
  const end = store.readableEnd;
  let next = store.firstOffset;
  return {
    total: Math.max(0, end - next),
    timeOf: (m) => (m as SearchHit).time,
    read(max) {
      if (stream.deleted || next >= end) return [];
      const records = store.read(next, Math.min(max, end - next));
      if (records.length === 0) {
        next = end;
        return [];
      }
      next = records[records.length - 1]!.offset + 1;
      return records.map((r) => ({
        position: r.offset,
        seq: r.offset,
        exchange: r.exchange,
        routingKey: r.routingKey,
        properties: r.properties,
        body: r.body,
        redelivered: false,
        time: r.timestamp,
      }));
    },
  };
}
