// The engine's one timer. Queues ask to be woken at a time (message TTL at
// their head, x-expires); wake-ups sit in a binary min-heap ordered by time
// and a single setTimeout is armed for the earliest. A wake-up is a small
// record that can be cancelled (lazily skipped when it reaches the top).
// States: running → closed (close() disarms the timer; later schedules are ignored).
// A wake-up that throws is reported to `onError` and the others still run:
// one bad message must not stop expiry for every queue.

export interface WakeUp {
  readonly at: number;
  cancelled: boolean;
}

interface Entry extends WakeUp {
  readonly run: () => void;
}

/** Longest single setTimeout delay Node accepts (about 24.8 days). */
const MAX_DELAY = 2_147_483_647;

export class Scheduler {
  /** Read only below heap.length (checked beside each read, hence the `!`s). */
  private readonly heap: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void = (error) => console.error('scheduler: a wake-up failed', error),
  ) {}

  /** Runs `run` once at (or soon after) epoch ms `at`. */
  schedule(at: number, run: () => void): WakeUp {
    const entry: Entry = { at, run, cancelled: false };
    if (this.closed) return entry;
    this.push(entry);
    if (at < this.timerAt) this.arm();
    return entry;
  }

  /** Runs every wake-up that is due now. Called by the timer; tests may call it directly. */
  runDue(): void {
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const entry = this.pop();
      if (entry.cancelled) continue;
      try {
        entry.run();
      } catch (error) {
        this.onError(error);
      }
    }
    this.arm();
  }

  get pending(): number {
    return this.heap.length;
  }

  close(): void {
    this.closed = true;
    this.disarm();
    this.heap.length = 0;
  }

  private arm(): void {
    this.disarm();
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    if (this.closed || this.heap.length === 0) return;
    const at = this.heap[0]!.at;
    const delay = Math.min(Math.max(0, at - this.now()), MAX_DELAY);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.runDue();
    }, delay);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!; // pop() is only called on a non-empty heap
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
