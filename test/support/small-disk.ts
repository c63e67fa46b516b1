/**
 * For disk-full tests: a small tmpfs mounted on a fresh directory (needs
 * root, as CI runs), and a filler file that takes whatever space is left.
 * When mounting is not possible, `mountSmallDisk` says why, and the test
 * prints that and skips visibly (see `smallDiskOrReport`).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Bytes free for unprivileged writers. */
  free(): number;
  /** Writes a file until the disk is full (ENOSPC); returns its path. */
  fill(): string;
  unmount(): void;
}

/** A tmpfs of `size` (mount's syntax: '64m'), or the reason it cannot be mounted here. */
export function mountSmallDisk(size: string): SmallDisk | { cannot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'warren-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().split('\n')[0]?.trim().replace(/\.$/, '');
    return { cannot: `mount -t tmpfs failed${process.getuid?.() === 0 ? '' : ' (not root)'}: ${stderr || (error as Error).message}` };
  }
  let fillers = 0;
  return {
    dir,
    free() {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    fill() {
      const file = join(dir, `filler-${++fillers}`);
      const fd = openSync(file, 'w');
      try {
        for (const chunk of [Buffer.alloc(1024 * 1024), Buffer.alloc(4096)]) {
          for (;;) {
            try {
              writeSync(fd, chunk);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return file;
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The disk, or null after printing (in the test output) why tests that need it do not run here. */
export function smallDiskOrReport(what: string, disk: SmallDisk | { cannot: string }): SmallDisk | null {
  if (!('cannot' in disk)) return disk;
  console.warn(`NOT RUN (${what}): these tests need a small tmpfs, and ${disk.cannot}. Run them as root (CI does).`);
  return null;
}
