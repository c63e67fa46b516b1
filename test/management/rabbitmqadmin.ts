// RabbitMQ's own command-line client, rabbitmqadmin (shipped with its
// management plugin; Debian's rabbitmq-server installs it as
// /usr/bin/rabbitmqadmin), run against a Warren's management API. A missing
// rabbitmqadmin fails the test rather than skipping it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = ['/usr/bin/rabbitmqadmin', '/usr/lib/rabbitmq/bin/rabbitmqadmin'].find((p) => existsSync(p));

/** rabbitmqadmin's tab-separated answer, signed in as guest to the management API on `port` of 127.0.0.1. */
export async function rabbitmqadmin(port: number, ...args: string[]): Promise<string> {
  if (!SCRIPT) throw new Error('rabbitmqadmin is not installed: apt-get install -y rabbitmq-server (it ships /usr/bin/rabbitmqadmin)');
  const { stdout } = await run(PYTHON, [SCRIPT, '-H', '127.0.0.1', '-P', String(port), '-u', 'guest', '-p', 'guest', '-f', 'tsv', ...args], {
    timeout: 15_000,
  });
  return stdout.trim();
}
