// Watches the free space of the file system holding the data directory and
// reports crossing a limit, in both directions, so that publishers can be
// blocked (connection.blocked) before the journal runs out of disk instead
// of failing or losing messages. States: clear → raised (free space below
// the limit, or the journal out of space) → clear (free space at or above
// it again, and the journal writing). Checked every few seconds with
// fs.statfs (space available to unprivileged processes) and on the write
// path: as the journal's DiskWatcher it counts every write against the last
// figure, raises as soon as that estimate falls below the limit (so a fast
// writer cannot fill the disk between two checks), and checks again after
// every quarter of the limit written.

import { statfs } from 'node:fs/promises';
import type { DiskWatcher } from './journal/journal';

export const DEFAULT_DISK_CHECK_MS = 2000;

export class DiskAlarm implements DiskWatcher {
  private raised = false;
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  /** Free bytes at the last check, undefined before the first. */
  private free: number | undefined;
  /** Bytes the journal wrote since the last check. */
  private writtenSinceCheck = 0;
  private journalOutOfSpace = false;

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

  /** Free bytes at the last check, undefined before the first. */
  get freeBytes(): number | undefined {
    return this.free;
  }

  /** Looks at the free space now (also called by the timer). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const counted = this.writtenSinceCheck;
      const stats = await statfs(this.dir);
      const free = stats.bavail * stats.bsize;
      this.free = free;
      this.writtenSinceCheck -= counted;
      this.update(free < this.limitBytes || this.journalOutOfSpace, free);
    } catch (error) {
      this.log(`disk alarm: cannot read the free space of ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.checking = false;
    }
  }

  written(bytes: number): void {
    this.writtenSinceCheck += bytes;
    if (this.free === undefined) return;
    const estimate = this.free - this.writtenSinceCheck;
    if (estimate < this.limitBytes) this.update(true, Math.max(0, estimate));
    if (estimate < this.limitBytes || this.writtenSinceCheck >= this.limitBytes / 4) void this.check();
  }

  outOfSpace(full: boolean): void {
    this.log(full ? 'journal: out of disk space; records wait in memory and are written once there is room' : 'journal: writing again');
    this.journalOutOfSpace = full;
    if (full) this.update(true, 0);
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private update(low: boolean, free: number): void {
    if (low === this.raised) return;
    this.raised = low;
    this.onChange(low, free);
  }
}

/** The connection.blocked reason for a raised disk alarm. */
export function diskAlarmReason(freeBytes: number, limitBytes: number): string {
  const mib = (bytes: number) => Math.round(bytes / 1048576);
  return `low on disk: ${mib(freeBytes)} MiB free, limit ${mib(limitBytes)} MiB`;
}
