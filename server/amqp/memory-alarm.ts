/**
 * Watches the process's resident memory once a second and reports crossing
 * a high-water mark, in both directions. States: clear → raised (RSS above
 * the mark) → clear (RSS back below 90% of it, so that the alarm does not
 * flap around the mark).
 */
export class MemoryAlarm {
  private raised = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly highWatermarkBytes: number,
    private readonly onChange: (raised: boolean, rssBytes: number) => void,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  check(): void {
    const rss = process.memoryUsage.rss();
    if (!this.raised && rss > this.highWatermarkBytes) {
      this.raised = true;
      this.onChange(true, rss);
    } else if (this.raised && rss < this.highWatermarkBytes * 0.9) {
      this.raised = false;
      this.onChange(false, rss);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
