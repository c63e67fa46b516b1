// Committed offsets of a stream's consumer groups, in groups.json beside its
// segments: {"group": offset, ...}. Acks move offsets many times a second, so
// changes are written at most every WRITE_DELAY_MS (and on close), replacing
// the file through a rename so that it is always whole. A crash loses at most
// the last moments of commits: those messages are delivered again (at least once).

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUPS_FILE } from './segment-format';

const WRITE_DELAY_MS = 200;

export class GroupOffsetsFile {
  private readonly offsets = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly dir: string) {
    try {
      const stored = JSON.parse(readFileSync(join(dir, GROUPS_FILE), 'utf8')) as Record<string, unknown>;
      for (const [group, offset] of Object.entries(stored)) {
        if (typeof offset === 'number' && Number.isInteger(offset)) this.offsets.set(group, offset);
      }
    } catch {
      // No file yet, or unreadable: the groups start again from their consume arguments.
    }
  }

  all(): Map<string, number> {
    return new Map(this.offsets);
  }

  set(group: string, offset: number): void {
    this.offsets.set(group, offset);
    this.timer ??= setTimeout(() => {
      try {
        this.writeNow();
      } catch {
        // Tried again with the next commit, and at close.
      }
    }, WRITE_DELAY_MS).unref();
  }

  writeNow(): void {
    this.discard();
    const path = join(this.dir, GROUPS_FILE);
    writeFileSync(`${path}.tmp`, JSON.stringify(Object.fromEntries(this.offsets)));
    renameSync(`${path}.tmp`, path);
  }

  /** Stops pending writes (the stream is being deleted). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
