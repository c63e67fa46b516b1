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
  /** The longest, median and 99th-percentile event-loop delay in the last second, beyond the monitor's own timer interval. */
  eventLoopDelayMs: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
}

/** The event-loop monitor's timer interval: each recorded delay includes it, so it is taken off. */
const LOOP_RESOLUTION_MS = 20;

function delayMs(recordedNs: number): number {
  return Number.isFinite(recordedNs) ? Math.max(0, recordedNs / 1e6 - LOOP_RESOLUTION_MS) : 0;
}

export class ProcessSampler extends Periodic<ProcessFigures> {
  readonly history = new Ring<ProcessFigures>(15 * 60);
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

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
        eventLoopDelayMs: this.loopDelay.count === 0 ? 0 : delayMs(this.loopDelay.max),
        eventLoopDelayP50Ms: this.loopDelay.count === 0 ? 0 : delayMs(this.loopDelay.percentile(50)),
        eventLoopDelayP99Ms: this.loopDelay.count === 0 ? 0 : delayMs(this.loopDelay.percentile(99)),
      },
    };
    this.loopDelay.reset();
    this.history.push(sample);
    return sample;
  }
}
