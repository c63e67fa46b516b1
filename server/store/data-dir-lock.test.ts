import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A real process that stays up until stopped: Node.js (as a Warren is), or another program. */
function otherProcess(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL'))) };
}

describe('data directory lock', () => {
  it('refuses a directory another live Warren holds, saying which and what to do', async () => {
    dir = mkdtempSync(join(tmpdir(), 'warren-lock-'));
    const other = otherProcess(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, 'warren.pid'), `${other.pid}\n`);
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(
        `is in use by another Warren (pid ${other.pid}): stop that one first, or give this one its own directory with WARREN_DATA_DIR`,
      );
    } finally {
      await other.stop();
    }
    // Once it is gone (as after kill -9), its file is stale and taken over.
    const unlock = lockDataDir(dir);
    expect(readFileSync(join(dir, 'warren.pid'), 'utf8').trim()).toBe(String(process.pid));
    unlock();
    expect(existsSync(join(dir, 'warren.pid'))).toBe(false);
  });

  it('takes over a file whose pid now belongs to a program that is not Node.js (a recycled pid)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'warren-lock-'));
    const sleeper = otherProcess('sleep', ['60']);
    try {
      writeFileSync(join(dir, 'warren.pid'), `${sleeper.pid}\n`);
      lockDataDir(dir)();
    } finally {
      await sleeper.stop();
    }
  });
});
