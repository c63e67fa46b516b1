// One way into the engine: code outside server/broker/ may import only the
// facade (broker.ts) and the modules that make up its contract. Vhosts,
// queues, exchanges, retry holding areas and the consoles' internals stay
// private to the engine, so they can change without the rest noticing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINE = path.join(ROOT, 'server/broker');

/** The facade and its contract, as paths under server/broker/ without extension. */
const PUBLIC = new Set([
  'broker', // the facade
  'types', // what it takes and answers
  'errors', // BrokerError and reply codes
  'store', // the Store interface the durability layer implements
  'message', // the Message a Store records
  'stream/stream-store', // the StreamStorage interface file storage implements
  'stream/memory-stream-store', // its in-memory implementation, tested beside the file one
  'channel', // handles the facade returns (openConnection → Connection → Channel)
  'connection',
  'policy/policy-definition', // policy keys, shared with the console's form
  'access/access-control', // permissions the broker is given and checks
  'access/topic-access', // topic permissions, compiled by the auth layer
  'short-string', // the one rule for names and keys
  'patterns/user-pattern', // user-supplied patterns (queue filter)
  'global-counters', // engine-wide counters the transport adds to and /metrics reads
  'bucket-counts', // histogram counts, also kept by the journal
]);

/** The engine's test helpers (a broker with a channel, delivery collectors): tests elsewhere may build on them too. */
const TEST_HELPERS = 'test-support';

const SCANNED = ['server', 'app', 'bench', 'scripts', 'test', 'e2e'];
const SKIPPED = new Set(['node_modules', '.next', 'generated']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIPPED.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(full);
  }
  return out;
}

/** Imports of engine modules that are not part of the facade, as "file: module". */
function privateImports(): string[] {
  const found: string[] = [];
  for (const top of SCANNED) {
    for (const file of sourceFiles(path.join(ROOT, top))) {
      if (file.startsWith(ENGINE + path.sep)) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2])!; // one of the two alternatives matched
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(ENGINE + path.sep)) continue;
        const module = path.relative(ENGINE, target).replace(/\.(ts|tsx)$/, '');
        if (PUBLIC.has(module) || (module === TEST_HELPERS && file.endsWith('.test.ts'))) continue;
        found.push(`${path.relative(ROOT, file)}: ${module}`);
      }
    }
  }
  return found;
}

describe('the engine facade', () => {
  it('is the only way into server/broker/: nothing outside imports engine internals', () => {
    expect(privateImports()).toEqual([]);
  });

  it('the check sees imports (it would catch one)', () => {
    // The test above would pass vacuously if the scan found nothing at all.
    const text = readFileSync(path.join(ROOT, 'server/amqp/connection.ts'), 'utf8');
    expect(text).toMatch(/from '\.\.\/broker\/broker'/);
  });
});
