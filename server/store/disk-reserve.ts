// A file of zeros kept in the data directory (`disk-reserve`) so that a full
// disk can be given space back at once. The journal deletes it when a write
// fails for want of space, so that the records which free space (acks,
// compaction copies) can still be written and old segments deleted; start-up
// deletes it when the disk is already fuller than the reserve, so that the
// process can start and consumers can drain. It is created again once the
// file system has room for it twice over. States: held ⇄ released.

import { closeSync, existsSync, openSync, statSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DEFAULT_DISK_RESERVE_BYTES = 8 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024);

export class DiskReserve {
  readonly file: string;
  private isHeld: boolean;

  constructor(
    dataDir: string,
    readonly bytes = DEFAULT_DISK_RESERVE_BYTES,
  ) {
    this.file = join(dataDir, 'disk-reserve');
    this.isHeld = existsSync(this.file) && statSync(this.file).size === bytes;
  }

  get held(): boolean {
    return this.isHeld;
  }

  /** Creates the reserve when missing and the disk has room for it twice over; whether it is held. */
  ensure(): boolean {
    if (this.isHeld) return true;
    let fd = -1;
    try {
      if (freeBytes(dirname(this.file)) < 2 * this.bytes) return false;
      fd = openSync(this.file, 'w');
      for (let done = 0; done < this.bytes; ) done += writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, this.bytes - done));
      this.isHeld = true;
    } catch {
      this.isHeld = false; // the disk filled meanwhile: try again later
    } finally {
      if (fd >= 0) closeSync(fd);
      if (!this.isHeld) removeFile(this.file);
    }
    return this.isHeld;
  }

  /** Deletes the reserve, giving its space to the file system; false when there was none. */
  release(): boolean {
    if (!existsSync(this.file)) return false;
    removeFile(this.file);
    this.isHeld = false;
    return true;
  }

  /** At start-up: releases the reserve when less than its size is free, so that starting can write. */
  releaseIfDiskFull(): boolean {
    try {
      return existsSync(this.file) && freeBytes(dirname(this.file)) < this.bytes && this.release();
    } catch {
      return false; // no data directory yet
    }
  }
}

/** Space available to unprivileged writers, as the disk alarm counts it. */
function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
