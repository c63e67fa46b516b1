import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { exportDefinitions } from '../../server/definitions/export';
import { importDefinitions } from '../../server/definitions/import';
import { startAccessBroker, type AccessBroker } from '../access/support';
import { withChannel } from '../amqp/helpers';

// Export → import on a fresh Warren → export gives the same file, modulo
// ordering; and the per-vhost form, RabbitMQ's GET /api/definitions/{vhost}.

const FIXTURE = fileURLToPath(new URL('../fixtures/rabbitmq-3.10-definitions.json', import.meta.url));

const started: AccessBroker[] = [];
afterEach(async () => {
  for (const b of started.splice(0)) await b.close();
});
async function fresh(): Promise<AccessBroker> {
  const b = await startAccessBroker();
  started.push(b);
  return b;
}
const services = (b: AccessBroker) => ({ ...b, version: 'test' });

/** Lists sorted by their JSON, so that two files compare regardless of order. */
function unordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unordered).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unordered(v)]));
  return value;
}

/** Each fresh Warren makes its own guest (its own salt): the one entry that differs by design. */
function withoutGuestHash(definitions: Record<string, unknown>) {
  const users = (definitions.users as { name: string }[]).map((u) => (u.name === 'guest' ? { ...u, password_hash: '(own)' } : u));
  return unordered({ ...definitions, users });
}

describe('export and import', () => {
  it('round-trips: export, import into a fresh Warren, export again gives the same file', async () => {
    const a = await fresh();
    await importDefinitions(services(a), readFileSync(FIXTURE, 'utf8'), { apply: true });
    // What clients and the console make too: a retry-tier queue (with its .dlq), an internal exchange, a transient queue, a user with Warren's own hash.
    await withChannel(a.url('guest', 'guest'), async (ch) => {
      await ch.assertExchange('inside', 'direct', { durable: true, internal: true });
      await ch.assertQueue('work', { durable: true, arguments: { 'x-retry-tiers': ['5s', '1m'], 'x-max-length-bytes': 2 ** 40 } });
      await ch.assertQueue('scratch', { durable: false, autoDelete: true });
      await ch.bindQueue('work', 'inside', 'jobs', { note: 'kept' });
      await ch.assertQueue('mine', { exclusive: true });
    });
    await a.users.create('local', { password: 'local-secret' }, ['management']);
    await a.users.setPermission('local', '/', { configure: '', write: 'work', read: '.*' });
    const exported = await exportDefinitions(services(a));
    expect((exported.queues as { name: string }[]).map((q) => q.name)).not.toContain('mine'); // exclusive queues stay out, as in RabbitMQ

    const b = await fresh();
    const report = await importDefinitions(services(b), JSON.stringify(exported), { apply: true });
    expect(report.lines.filter((l) => l.outcome === 'error' || l.outcome === 'skipped')).toEqual([]);
    expect(report.lines.filter((l) => l.outcome === 'different').map((l) => l.object)).toEqual(["user 'guest'"]);
    const again = await exportDefinitions(services(b));
    expect(withoutGuestHash(again)).toEqual(withoutGuestHash(exported));
    // The users travelled with their hashes: RabbitMQ's sha256 and Warren's scrypt both sign in.
    await (await amqp.connect(b.url('ops', 'ops-secret', 'orders'))).close();
    await withChannel(b.url('local', 'local-secret'), (ch) => ch.checkQueue('work'));
  });

  it("exports one vhost in RabbitMQ's per-vhost form, which imports into another vhost", async () => {
    const a = await fresh();
    await importDefinitions(services(a), readFileSync(FIXTURE, 'utf8'), { apply: true });
    const orders = await exportDefinitions(services(a), 'orders');
    expect(Object.keys(orders).sort()).toEqual([
      'bindings',
      'exchanges',
      'parameters',
      'policies',
      'product_name',
      'product_version',
      'queues',
      'rabbit_version',
      'rabbitmq_version',
    ]);
    expect((orders.queues as object[]).every((q) => !('vhost' in q))).toBe(true);
    expect((orders.queues as { name: string }[]).map((q) => q.name)).toEqual([
      'orders.audit',
      'orders.copies',
      'orders.created',
      'orders.payments',
      'orders.urgent',
    ]);

    const b = await fresh();
    b.broker.createVhost('staging');
    const text = JSON.stringify(orders);
    const whole = await importDefinitions(services(b), text, { apply: false });
    expect(whole.lines.find((l) => l.outcome === 'error')?.detail).toMatch(/has no "vhost": add one, or import the file into one vhost/);
    const report = await importDefinitions(services(b), text, { apply: true, vhost: 'staging' });
    expect(report.applied).toBe(true);
    expect(b.broker.getQueue('staging', 'orders.payments').type).toBe('quorum');
    expect(
      b.broker
        .listBindings('staging')
        .filter((x) => x.source === 'orders.events')
        .map((x) => x.destination)
        .sort(),
    ).toEqual(['orders.created', 'orders.fanout', 'orders.payments']);
    expect(unordered(await exportDefinitions(services(b), 'staging'))).toEqual(unordered(orders));
  });
});
