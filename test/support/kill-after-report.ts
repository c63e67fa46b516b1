/**
 * For kill -9 tests: runs a TypeScript child process that appends report lines
 * to `reportFile`, kills it with SIGKILL `ms` after its first report, and
 * returns the report's lines. Rejects if the child exits on its own first.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

export function killAfterFirstReport(script: string, args: string[], reportFile: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args, reportFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (timer || !existsSync(reportFile) || statSync(reportFile).size === 0) return;
      timer = setTimeout(() => child.kill('SIGKILL'), ms);
    }, 20);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited (${code}) before the kill: ${err}`));
      resolve(readFileSync(reportFile, 'utf8').split('\n'));
    });
  });
}
