// Warren's event-loop delay during a benchmark: its /metrics is scraped every
// second for warren_event_loop_delay_p99_seconds (each sample covers the
// second before it), and the largest and median samples are reported.

export interface LoopDelaySummary {
  /** Largest p99 seen in any one second, ms. */
  max: number;
  /** Median of the per-second p99s, ms. */
  median: number;
}

export class LoopDelayWatch {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly metricsUrl: string) {
    this.timer = setInterval(() => void this.scrape(), 1000);
  }

  /** Stops scraping; undefined when no sample was read (no /metrics, or a run under a second). */
  stop(): LoopDelaySummary | undefined {
    clearInterval(this.timer);
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return { max: sorted.at(-1)!, median: sorted[Math.floor(sorted.length / 2)]! };
  }

  private async scrape(): Promise<void> {
    try {
      const text = await (await fetch(this.metricsUrl)).text();
      const m = /^warren_event_loop_delay_p99_seconds (\S+)$/m.exec(text);
      if (m) this.samples.push(+(Number(m[1]) * 1000).toFixed(2));
    } catch {
      // the broker is busy or gone: this second has no sample
    }
  }
}
