import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The memory alarm: watches, once a second (ten times a second past half a
 * mark), what can actually run out, and
 * reports crossing its marks in both directions.
 *
 * - The V8 heap, against its limit: the process dies at heap_size_limit
 *   whatever RAM is free (small messages fill the heap long before RSS
 *   reaches any fraction of RAM). Mark: HEAP_FRACTION of the limit.
 * - Memory in use: heap used plus the bytes of message bodies queued (the
 *   engine's own accounting), against the high-water mark (default 40% of
 *   RAM, or WARREN_MEMORY_HIGH_WATERMARK).
 *
 * RSS is not the measure: the allocator keeps pages it freed, so after a
 * purge RSS stays high and an alarm on it would never clear.
 *
 * States: clear → raised (either measure above its mark) → clear (both below
 * CLEAR_FRACTION of their marks, so that the alarm does not flap). While
 * raised, a full garbage collection is asked for when queues have shrunk
 * since the last one: the heap's garbage would otherwise wait for allocation
 * that blocked publishers no longer cause.
 */

/** Fraction of V8's heap limit above which publishers are blocked: room left for consumers and the GC. */
export const HEAP_FRACTION = 0.7;
/**
 * What of heap_size_limit the young generation keeps (three semi-spaces of
 * 16 MiB, V8's default on 64-bit): old objects fill only the rest, and V8
 * gives up ("ineffective mark-compacts near heap limit") before that is full.
 * With --max-old-space-size=160 the limit reads 208 MiB; a mark at 70% of it
 * (146 MiB) let a loaded broker die at 136 MiB before the alarm was raised.
 */
const YOUNG_GENERATION_BYTES = 48 * 2 ** 20;
const CLEAR_FRACTION = 0.9;
/** Past this fraction of a mark, the alarm looks ten times as often. */
const NEAR_FRACTION = 0.5;
/** Queued bytes must have fallen this much since the last forced collection to ask for another. */
const SHRINK_BEFORE_GC = 0.75;

export interface MemoryReading {
  /** Heap used plus queued message bytes. */
  usedBytes: number;
  highWatermarkBytes: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
  /** Message body bytes held in queues. */
  queuedBytes: number;
}

export type MemoryAlarmReason = (reading: MemoryReading) => string;

export class MemoryAlarm {
  private raised = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly heapLimitBytes = oldGenerationLimit();
  private queuedAtLastGc = Infinity;

  constructor(
    private readonly highWatermarkBytes: number,
    /** Message body bytes the broker holds now. */
    private readonly queuedBytes: () => number,
    private readonly onChange: (raised: boolean, reading: MemoryReading) => void,
    private readonly intervalMs = 1000,
  ) {
    this.scheduleCheck(intervalMs);
  }

  /** Once a second; ten times as often past half of a mark, where a fast publisher could cross it between two checks. */
  private scheduleCheck(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const reading = this.check();
      this.scheduleCheck(overMarks(reading, NEAR_FRACTION) ? this.intervalMs / 10 : this.intervalMs);
    }, delayMs);
    this.timer.unref();
  }

  read(): MemoryReading {
    const heapUsedBytes = getHeapStatistics().used_heap_size;
    const queuedBytes = this.queuedBytes();
    return {
      usedBytes: heapUsedBytes + queuedBytes,
      highWatermarkBytes: this.highWatermarkBytes,
      heapUsedBytes,
      heapLimitBytes: this.heapLimitBytes,
      queuedBytes,
    };
  }

  get isRaised(): boolean {
    return this.raised;
  }

  check(): MemoryReading {
    let reading = this.read();
    if (!this.raised && overMarks(reading, 1)) {
      this.raised = true;
      this.queuedAtLastGc = reading.queuedBytes;
      this.onChange(true, reading);
      return reading;
    }
    if (!this.raised) return reading;
    if (reading.queuedBytes < this.queuedAtLastGc * SHRINK_BEFORE_GC) {
      this.queuedAtLastGc = reading.queuedBytes;
      collectGarbage();
      reading = this.read();
    }
    if (!overMarks(reading, CLEAR_FRACTION)) {
      this.raised = false;
      this.onChange(false, reading);
    }
    return reading;
  }

  /**
   * The check for a connection that spent its read budget (many times a
   * second under load): the heap's mark only, the one a publisher flat out can
   * cross between two timed checks, without summing every queue's bytes.
   */
  checkHeap(): void {
    if (!this.raised && getHeapStatistics().used_heap_size > this.heapLimitBytes * HEAP_FRACTION) this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/** The heap old objects can fill: heap_size_limit without the young generation's part. */
function oldGenerationLimit(): number {
  const limit = getHeapStatistics().heap_size_limit;
  return limit > 2 * YOUNG_GENERATION_BYTES ? limit - YOUNG_GENERATION_BYTES : limit;
}

function overMarks(r: MemoryReading, fraction: number): boolean {
  return r.heapUsedBytes > r.heapLimitBytes * HEAP_FRACTION * fraction || r.usedBytes > r.highWatermarkBytes * fraction;
}

/** What publishers are told in connection.blocked, and the overview shows. */
export function memoryAlarmReason(r: MemoryReading): string {
  const mib = (n: number) => `${Math.round(n / 1048576)} MiB`;
  if (r.heapUsedBytes > r.heapLimitBytes * HEAP_FRACTION) {
    return `low on memory: JavaScript heap ${mib(r.heapUsedBytes)} of its ${mib(r.heapLimitBytes)} limit`;
  }
  return `low on memory: ${mib(r.usedBytes)} in use (${mib(r.queuedBytes)} of queued messages), high-water mark ${mib(r.highWatermarkBytes)}`;
}

let gc: (() => void) | undefined;

/** A full collection, through V8's own gc function (exposed once, on first use). */
function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
