/**
 * Samples the process's own figures (memory, event-loop delay) once a second
 * into a ring of 15 minutes, and tells listeners of each new sample. One timer
 * for the whole process; it does not keep the process alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Periodic } from './periodic';
import { Ring, type Sample } from './ring';

export interface ProcessFigures {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  eventLoopDelayMs: number;
}

export class ProcessSampler extends Periodic<ProcessFigures> {
  readonly history = new Ring<ProcessFigures>(15 * 60);
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(intervalMs = 1000) {
    super(intervalMs);
  }

  override start(): void {
    this.loopDelay.enable();
    super.start();
  }

  override stop(): void {
    super.stop();
    this.loopDelay.disable();
  }

  protected take(): Sample<ProcessFigures> {
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
    return sample;
  }
}
