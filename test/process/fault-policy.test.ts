import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_UNCAUGHT } from '../../server/process-faults';

const CHILD = fileURLToPath(new URL('./fault-policy-child.ts', import.meta.url));

function run(what: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', CHILD, what], { encoding: 'utf8', timeout: 20_000 });
}

describe("Warren's policy for errors nothing caught", () => {
  it('an uncaught exception is logged with its stack and ends the process with 70 at once', () => {
    const child = run('exception');
    expect(child.status).toBe(EXIT_UNCAUGHT);
    expect(child.stderr).toMatch(/warren: uncaught exception \(uncaughtException\), exiting with 70 .*TypeError: thrown from a timer/s);
    expect(child.stdout).not.toContain('should never print');
  });

  it('an unhandled rejection is logged and the process carries on', () => {
    const child = run('rejection');
    expect(child.status).toBe(0);
    expect(child.stderr).toMatch(/warren: unhandled promise rejection \(the broker carries on\): Error: nobody handles this/);
    expect(child.stdout).toContain('still serving');
  });
});
