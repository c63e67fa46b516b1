// Message search, through Broker.search: reads a queue, a dead-letter queue,
// a retry tier or a stream without taking anything, and keeps the messages
// that match a SearchQuery (search-query.ts).
//
// A search runs as a long operation (operations/long-operations.ts): slices
// of at most SLICE_SIZE messages, each also cut short once it has run for
// SLICE_BUDGET_MS, with the event loop free between slices, so AMQP traffic
// goes on whatever the queue's size or the pattern. It reports progress
// (scanned of total, matched), can be cancelled, and keeps its first
// `maxHits` matches to page through. States: running → finished | cancelled
// | failed. The last KEPT_SEARCHES ended searches stay readable.

import type { EngineContext } from '../engine-context';
import { BrokerError } from '../errors';
import type { MatchInProgress } from '../patterns/matcher';
import { compileQuery } from './search-query';
import { searchSource, type SourceMessage } from './search-sources';
import type { SearchHit, SearchProgress, SearchQuery, SearchTarget } from './search-types';

/** Time a slice may take before it yields, whatever is left of its SLICE_SIZE messages. */
export const SLICE_BUDGET_MS = 4;
export const DEFAULT_MAX_HITS = 1000;
export const MAX_HITS = 10_000;
const PAGE = 100;
/** Code units a payload pattern consumes between two looks at the clock. */
const PATTERN_STEP = 16;
const KEPT_SEARCHES = 20;

interface Search {
  progress: SearchProgress;
  hits: SearchHit[];
  /** Who started it (the console's user), for the API to check; null from the engine. */
  owner: string | null;
  ended: Promise<SearchProgress>;
}

export class MessageSearch {
  private nextId = 1;
  private readonly searches = new Map<number, Search>();

  constructor(private readonly engine: EngineContext) {}

  /**
   * Starts a search and returns its progress at once (the first slice has run).
   * 404 for a missing queue; 406 saying what and where for a bad pattern, JSON path or range.
   */
  start(target: SearchTarget, query: SearchQuery, options: { maxHits?: number; owner?: string; onMatch?: (hit: SearchHit) => void } = {}): SearchProgress {
    const source = searchSource(this.engine.vhost(target.vhost), target.name);
    const compiled = compileQuery(query, source.timeOf);
    const maxHits = Math.max(1, Math.min(options.maxHits ?? DEFAULT_MAX_HITS, MAX_HITS));
    const id = this.nextId++;
    const progress: SearchProgress = {
      id,
      vhost: target.vhost,
      name: target.name,
      operationId: 0,
      state: 'running',
      scanned: 0,
      total: source.total,
      matched: 0,
      keptHits: 0,
      slices: 0,
      truncatedBodies: 0,
      startedAt: this.engine.now(),
      elapsedMs: 0,
      error: null,
    };
    const hits: SearchHit[] = [];
    let pending: SourceMessage[] = [];
    let next = 0;
    /** The payload pattern's test of pending[next - 1], when a slice ran out of time in it. */
    let testing: MatchInProgress | null = null;
    const started = performance.now();
    const keep = (message: SourceMessage) => {
      const hit = { ...message, time: source.timeOf(message) };
      options.onMatch?.(hit);
      progress.matched++;
      if (hits.length < maxHits) hits.push(hit);
    };
    const slice = (max: number): number | 'finished' => {
      const sliceStart = performance.now();
      const outOfTime = () => performance.now() - sliceStart > SLICE_BUDGET_MS;
      let handled = 0;
      while (handled < max) {
        if (testing === null) {
          if (next >= pending.length) {
            pending = source.read(Math.min(PAGE, max - handled));
            next = 0;
            if (pending.length === 0) break;
          }
          const hit = pending[next++]!; // next < pending.length, checked above
          if (compiled.truncates(hit.body)) progress.truncatedBodies++;
          if (!compiled.matches(hit)) {
            handled++;
          } else if (compiled.pattern === null) {
            keep(hit);
            handled++;
          } else {
            testing = compiled.pattern.start(compiled.patternText(hit.body));
          }
        }
        if (testing !== null) {
          let answer: boolean | undefined;
          while ((answer = testing.run(PATTERN_STEP)) === undefined && !outOfTime());
          if (answer === undefined) break; // resumed by the next slice
          testing = null;
          if (answer) keep(pending[next - 1]!); // the hit being tested
          handled++;
        }
        if (outOfTime()) break;
      }
      progress.scanned += handled;
      progress.keptHits = hits.length;
      progress.elapsedMs = performance.now() - started;
      progress.slices++;
      // A slice spent inside one long payload handled none, yet is not the end.
      return handled === 0 && testing === null ? 'finished' : handled;
    };
    const operation = this.engine.operations.run({ kind: 'search', vhost: target.vhost, queue: target.name, total: source.total }, slice, (operationId) => {
      progress.operationId = operationId;
    });
    const ended = operation.then(
      (info) => {
        progress.state = info.state === 'cancelled' ? 'cancelled' : 'finished';
        return finish(progress, started);
      },
      (error: unknown) => {
        progress.state = 'failed';
        progress.error = error instanceof Error ? error.message : String(error);
        return finish(progress, started);
      },
    );
    this.searches.set(id, { progress, hits, owner: options.owner ?? null, ended });
    this.forgetOld();
    return { ...progress };
  }

  /** Runs a search to its end; resolves with its progress and its kept hits. */
  async find(
    target: SearchTarget,
    query: SearchQuery,
    options: { maxHits?: number; onMatch?: (hit: SearchHit) => void } = {},
  ): Promise<{ progress: SearchProgress; hits: SearchHit[] }> {
    const search = this.search(this.start(target, query, options).id);
    return { progress: await search.ended, hits: search.hits };
  }

  /** Resolves once the search has ended. */
  ended(id: number): Promise<SearchProgress> {
    return this.search(id).ended;
  }

  /** Progress and one page of the kept hits. 404 when no search has that id (or it was forgotten). */
  results(id: number, offset: number, limit: number): { progress: SearchProgress; hits: SearchHit[] } {
    const search = this.search(id);
    return { progress: { ...search.progress }, hits: search.hits.slice(offset, offset + limit) };
  }

  /** Who started the search (as given to start), or null. 404 when unknown. */
  ownerOf(id: number): string | null {
    return this.search(id).owner;
  }

  /** Stops a running search after its current slice; false when it is not running. */
  cancel(id: number): boolean {
    const search = this.search(id);
    return search.progress.state === 'running' && this.engine.operations.cancel(search.progress.operationId);
  }

  private search(id: number): Search {
    const search = this.searches.get(id);
    if (search === undefined) throw new BrokerError('NOT_FOUND', `no search ${id}: it ended long ago and was forgotten, or never ran; search again`);
    return search;
  }

  private forgetOld(): void {
    let ended = 0;
    for (const [id, search] of [...this.searches].reverse()) {
      if (search.progress.state === 'running') continue;
      if (++ended > KEPT_SEARCHES) this.searches.delete(id);
    }
  }
}

function finish(progress: SearchProgress, started: number): SearchProgress {
  progress.elapsedMs = performance.now() - started;
  return { ...progress };
}
