// Watches the free space of the file system holding the data directory and
// reports crossing a limit, in both directions, so that publishers can be
// blocked (connection.blocked) before the journal runs out of disk instead
// of failing or losing messages. States: clear → raised (free space below
// the limit) → clear (free space at or above it again). Checked every few
// seconds with fs.statfs (space available to this unprivileged process).

import { statfs } from 'node:fs/promises';

export const DEFAULT_DISK_CHECK_MS = 2000;

export class DiskAlarm {
  private raised = false;
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly dir: string,
    private readonly limitBytes: number,
    private readonly onChange: (raised: boolean, freeBytes: number) => void,
    private readonly log: (line: string) => void = () => {},
    intervalMs = DEFAULT_DISK_CHECK_MS,
  ) {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** Looks at the free space now (also called by the timer). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const stats = await statfs(this.dir);
      const free = stats.bavail * stats.bsize;
      if (!this.raised && free < this.limitBytes) {
        this.raised = true;
        this.onChange(true, free);
      } else if (this.raised && free >= this.limitBytes) {
        this.raised = false;
        this.onChange(false, free);
      }
    } catch (error) {
      this.log(`disk alarm: cannot read the free space of ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The connection.blocked reason for a raised disk alarm. */
export function diskAlarmReason(freeBytes: number, limitBytes: number): string {
  const mib = (bytes: number) => Math.round(bytes / 1048576);
  return `low on disk: ${mib(freeBytes)} MiB free, limit ${mib(limitBytes)} MiB`;
}
