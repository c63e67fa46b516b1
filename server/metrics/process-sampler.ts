/**
 * Samples the process's own figures (memory, event-loop delay) once a second
 * into a ring of 15 minutes, and tells listeners of each new sample. One timer
 * for the whole process; it does not keep the process alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Ring, type Sample } from './ring';

export interface ProcessFigures {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  eventLoopDelayMs: number;
}

export class ProcessSampler {
  readonly history = new Ring<ProcessFigures>(15 * 60);
  private readonly listeners = new Set<(s: Sample<ProcessFigures>) => void>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 1000) {}

  start(): void {
    if (this.timer) return;
    this.loopDelay.enable();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.loopDelay.disable();
    this.listeners.clear();
  }

  /** Calls `fn` with every new sample until the returned function is called. */
  subscribe(fn: (s: Sample<ProcessFigures>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private sample(): void {
    const m = process.memoryUsage();
    const sample = {
      at: Date.now(),
      value: {
        rssBytes: m.rss,
        heapUsedBytes: m.heapUsed,
        heapTotalBytes: m.heapTotal,
        externalBytes: m.external,
        eventLoopDelayMs: Number.isFinite(this.loopDelay.max) ? this.loopDelay.max / 1e6 : 0,
      },
    };
    this.loopDelay.reset();
    this.history.push(sample);
    for (const fn of this.listeners) fn(sample);
  }
}
