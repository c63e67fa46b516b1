/**
 * The timer and listeners shared by the samplers: `sample()` once a period
 * (the first at start), each result handed to every subscriber. The timer does
 * not keep the process alive.
 */
import type { Sample } from './ring';

export abstract class Periodic<T> {
  private readonly listeners = new Set<(s: Sample<T>) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Takes one sample now: records it and returns it. */
  protected abstract take(): Sample<T>;

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** Calls `fn` with every new sample until the returned function is called. */
  subscribe(fn: (s: Sample<T>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Takes a sample and tells the subscribers; the timer calls this, tests may too. */
  sample(): void {
    const s = this.take();
    for (const fn of this.listeners) fn(s);
  }
}
