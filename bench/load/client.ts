// Which client the load generator runs: amqp-load.c, compiled here on
// Debian's librabbitmq (librabbitmq-dev and gcc installed with apt-get when
// missing), or, when it cannot be built, node-client.ts on amqplib. Both take
// the same flags and print the same lines. BENCH_LOAD_CLIENT=node forces the
// Node client.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'amqp-load.c');
const binary = join(here, 'build', 'amqp-load');

export interface LoadClient {
  /** Said in every result row: "C (librabbitmq)" or "Node (amqplib)". */
  name: string;
  /** Why the C client is not used, when it is not. */
  fallbackReason?: string;
  /** Threads a process with `connections` connections runs its AMQP work on. */
  threads(connections: number): number;
  command(role: 'pub' | 'sub', args: string[]): [string, string[]];
}

function compile(): void {
  mkdirSync(dirname(binary), { recursive: true });
  execFileSync('cc', ['-O2', '-Wall', '-o', binary, source, '-lrabbitmq', '-lpthread'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function aptInstall(): void {
  const install = () => execFileSync('apt-get', ['install', '-y', 'librabbitmq-dev', 'gcc'], { stdio: 'ignore' });
  try {
    install();
  } catch {
    // The package lists may be stale or absent: refresh them once and retry.
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    install();
  }
}

/** The C client, built when missing or older than its source; the Node client with the reason when that fails. */
export function loadClient(): LoadClient {
  const node: LoadClient = {
    name: 'Node (amqplib)',
    threads: () => 1,
    command: (role, args) => [process.execPath, ['--import', 'tsx', join(here, 'node-client.ts'), role, ...args]],
  };
  if (process.env.BENCH_LOAD_CLIENT === 'node') return { ...node, fallbackReason: 'BENCH_LOAD_CLIENT=node' };
  try {
    if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
      if (!existsSync('/usr/include/amqp.h') || !existsSync('/usr/bin/cc')) aptInstall();
      compile();
    }
  } catch (error) {
    const message = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message.split('\n')[0];
    return { ...node, fallbackReason: `amqp-load.c could not be built (${message})` };
  }
  return {
    name: 'C (librabbitmq)',
    threads: (connections) => connections,
    command: (role, args) => [binary, [role, ...args]],
  };
}
