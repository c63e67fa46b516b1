// One Warren process per data directory: two would append to the same
// journal and stream files and corrupt them. The owner's pid is written to
// `warren.pid`, created exclusively. A file left behind by a process that is
// gone (kill -9, a crash, a container restart) is taken over.

import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {}

/** Takes the data directory for this process; returns the function that gives it back. Throws DataDirInUseError when another Warren holds it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'warren.pid');
  // Twice at most: the second attempt follows the removal of a stale file.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => release(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(file);
    if (owner !== null && owner !== process.pid && isRunningNode(owner)) {
      throw new DataDirInUseError(
        `data directory ${dataDir} is in use by another Warren (pid ${owner}): stop that one first, or give this one its own directory with WARREN_DATA_DIR (or --data-dir).`,
      );
    }
    unlinkSync(file);
  }
  throw new DataDirInUseError(`data directory ${dataDir}: could not create ${file}; another Warren may be starting on it at the same moment.`);
}

function ownerOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // removed meanwhile, or unreadable: treat as stale
  }
}

/** Whether `pid` is a live Node.js process (a recycled pid now used by something else does not count). */
function isRunningNode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc here: a live pid is all we can know
  }
}

function release(file: string): void {
  try {
    if (ownerOf(file) === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}
