// Long operations asked for by the console (moving or purging a large queue,
// requeueing dead letters, and later searching and importing) run here: in
// slices of at most SLICE_SIZE messages, yielding to the event loop between
// slices so AMQP traffic never stalls behind them. Each has an id, reports its
// progress (done of total), and can be cancelled between two slices; what a
// finished slice did stays done.
//
// States of an operation: running → finished | cancelled | failed.
// The last RECENT_KEPT ended operations are kept for the console to show.

export const SLICE_SIZE = 1000;
const RECENT_KEPT = 50;

export type OperationState = 'running' | 'finished' | 'cancelled' | 'failed';

export interface OperationInfo {
  id: number;
  /** What it does, e.g. 'move' or 'purge'. */
  kind: string;
  vhost: string;
  /** The queue it works on. */
  queue: string;
  /** Messages handled so far. */
  done: number;
  /** Messages it expects to handle, when known at the start. */
  total: number | null;
  state: OperationState;
  startedAt: number;
  endedAt: number | null;
  /** Why it failed. */
  error: string | null;
}

/**
 * One slice of work: handles up to `max` messages and returns how many it
 * handled, or 'finished' when nothing is left (a slice may handle some and
 * finish: return the count, and 'finished' on the next call). A slice may be
 * asynchronous when it waits for something outside the engine between its
 * synchronous steps: an export for its reader to take more, an import for
 * its next lines and for the store.
 */
export type Slice = (max: number) => number | 'finished' | Promise<number | 'finished'>;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class LongOperations {
  private nextId = 1;
  private readonly running = new Map<number, { info: OperationInfo; cancelled: boolean }>();
  private readonly ended: OperationInfo[] = [];

  constructor(private readonly now: () => number) {}

  /**
   * Runs `slice` until it finishes or the operation is cancelled; resolves
   * with the operation as it ended (`done` counts what was handled). A slice
   * that throws ends the operation as failed, and the promise rejects.
   * `started` hears the operation's id before the first slice runs.
   */
  async run(what: { kind: string; vhost: string; queue: string; total: number | null }, slice: Slice, started?: (id: number) => void): Promise<OperationInfo> {
    const entry = {
      info: { id: this.nextId++, ...what, done: 0, state: 'running' as OperationState, startedAt: this.now(), endedAt: null, error: null },
      cancelled: false,
    };
    this.running.set(entry.info.id, entry);
    started?.(entry.info.id);
    try {
      for (;;) {
        const handled = await slice(SLICE_SIZE);
        if (handled === 'finished') break;
        entry.info.done += handled;
        await yieldToEventLoop();
        if (entry.cancelled) break;
      }
      this.end(entry.info, entry.cancelled ? 'cancelled' : 'finished', null);
    } catch (error) {
      this.end(entry.info, 'failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
    return { ...entry.info };
  }

  /** Stops a running operation after its current slice; false when none has that id. */
  cancel(id: number): boolean {
    const entry = this.running.get(id);
    if (entry === undefined) return false;
    entry.cancelled = true;
    return true;
  }

  /** Running operations first, then the recently ended ones, newest first. */
  list(): OperationInfo[] {
    return [...[...this.running.values()].map((e) => ({ ...e.info })), ...this.ended.map((i) => ({ ...i }))];
  }

  private end(info: OperationInfo, state: OperationState, error: string | null): void {
    info.state = state;
    info.error = error;
    info.endedAt = this.now();
    this.running.delete(info.id);
    this.ended.unshift(info);
    if (this.ended.length > RECENT_KEPT) this.ended.length = RECENT_KEPT;
  }
}
