import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDefinitions } from '../../server/definitions/import';
import type { DefinitionsReport, Outcome } from '../../server/definitions/report';
import { startAccessBroker, type AccessBroker } from '../access/support';
import { waitFor, withChannel } from '../amqp/helpers';
import { exportFromRabbitmq, FIXTURE_USERS, rabbitmqInstalled } from '../fixtures/rabbitmq-export';

// A file `rabbitmqctl export_definitions` of RabbitMQ 3.10 wrote (the
// committed fixture, and one made here when RabbitMQ is installed), imported
// into a Warren and then used as an application would: amqplib signs in with
// the users' RabbitMQ passwords and finds the queues, exchanges and bindings.

const FIXTURE = fileURLToPath(new URL('../fixtures/rabbitmq-3.10-definitions.json', import.meta.url));

let b: AccessBroker;
beforeEach(async () => {
  b = await startAccessBroker();
});
afterEach(async () => {
  await b.close();
});

const services = () => ({ ...b, version: 'test' });
const outcomeOf = (report: DefinitionsReport, object: string) => report.lines.find((l) => l.object === object);
const expectLine = (report: DefinitionsReport, object: string, outcome: Outcome, detail?: RegExp) => {
  const line = outcomeOf(report, object);
  expect(line, object).toBeDefined();
  expect(line?.outcome, `${object}: ${line?.detail}`).toBe(outcome);
  if (detail) expect(line?.detail).toMatch(detail);
};

/** What the fixture's topology does for an application, checked over AMQP. */
async function expectFixtureTopology(): Promise<void> {
  const { ops, app } = FIXTURE_USERS;
  await withChannel(b.url('ops', ops.password, 'orders'), async (ch) => {
    for (const queue of ['orders.created', 'orders.payments', 'orders.audit', 'orders.urgent', 'orders.copies']) await ch.checkQueue(queue);
    for (const exchange of ['orders.events', 'orders.fanout', 'orders.by-header', 'orders.with-ae']) await ch.checkExchange(exchange);
    // The topic binding, and the exchange binding on to the fanout and the stream behind it.
    ch.publish('orders.events', 'orders.created.eu', Buffer.from('new order'));
    ch.publish('orders.events', 'orders.eu.paid', Buffer.from('paid'));
    ch.publish('orders.by-header', '', Buffer.from('urgent'), { headers: { priority: 'high' } });
    await waitFor(async () => (await ch.checkQueue('orders.created')).messageCount === 1, 5000, 'orders.created to get its message');
    expect(((await ch.get('orders.created', { noAck: true })) || null)?.content.toString()).toBe('new order');
    expect(((await ch.get('orders.payments', { noAck: true })) || null)?.content.toString()).toBe('paid');
    expect(((await ch.get('orders.urgent', { noAck: true })) || null)?.content.toString()).toBe('urgent');
  });
  const queue = (name: string) => b.broker.getQueue('orders', name);
  expect(queue('orders.payments').type).toBe('quorum');
  expect(queue('orders.audit').type).toBe('stream');
  expect(queue('orders.audit').ready).toBe(2); // both messages through orders.events → orders.fanout
  expect(queue('orders.audit').arguments).toMatchObject({ 'x-max-age': '7D', 'x-stream-max-segment-size-bytes': 10_000_000 });
  expect(queue('orders.created').policy).toBe('orders-limits');
  expect(queue('orders.created').effectiveArguments['x-max-length']).toBe(5000); // the lower of its own 5000 and the policy's 10000
  expect(b.broker.getExchange('orders', 'orders.with-ae').alternateExchange).toBe('orders.fanout');
  // app has RabbitMQ's configure pattern ^orders\. : other names are refused, as in RabbitMQ.
  await withChannel(b.url('app', app.password, 'orders'), async (ch) => {
    await ch.assertQueue('orders.app-temp', { durable: false });
    await expect(ch.assertQueue('elsewhere')).rejects.toThrow(/403.*configure access to queue 'elsewhere' in vhost 'orders' refused for user 'app'/);
  });
  await expect(amqp.connect(b.url('app', 'not-the-password', 'orders'))).rejects.toThrow(/ACCESS_REFUSED/);
  // watcher signs in (its password is right) but has no permission on orders: connection.open is closed (amqplib hides the 530's text).
  await withChannel(b.url('watcher', FIXTURE_USERS.watcher.password, '/'), (ch) => ch.checkQueue('unrouted.messages'));
  await expect(amqp.connect(b.url('watcher', FIXTURE_USERS.watcher.password, 'orders'))).rejects.toThrow(/got <ConnectionClose/);
}

describe('a definitions file exported by RabbitMQ 3.10', () => {
  it('previews every entry with its outcome and changes nothing', async () => {
    const report = await importDefinitions(services(), readFileSync(FIXTURE, 'utf8'), { apply: false });
    expect(report).toMatchObject({ valid: true, applied: false, rabbitVersion: '3.10.8' });
    expect(report.counts.created).toBeGreaterThan(20);
    expectLine(report, "queue 'orders.payments' in vhost 'orders'", 'created');
    expectLine(report, "user 'guest'", 'different', /password differs: kept as it is/);
    expectLine(report, "permission of user 'guest' on vhost '/'", 'identical');
    expectLine(report, "exchange 'orders.sharded' in vhost 'orders'", 'skipped', /type 'x-consistent-hash' is a RabbitMQ plugin's/);
    expectLine(
      report,
      "binding of exchange 'orders.internal' to exchange 'orders.with-ae' with routing key 'copy' in vhost 'orders'",
      'skipped',
      /leaves internal exchanges out/,
    );
    expectLine(report, "policy 'mirrored' in vhost 'analytics'", 'skipped', /'ha-mode', 'queue-mode' left out/);
    expectLine(report, "parameter 'origin' of federation-upstream in vhost 'orders'", 'skipped', /RabbitMQ plugin/);
    expectLine(report, "global parameter 'migration_note'", 'skipped');
    expectLine(report, "topic permission of user 'app' on exchange 'amq.topic' in vhost 'orders'", 'created', /does not enforce topic permissions yet/);
    expectLine(report, "vhost 'orders'", 'created', /description and tags are not kept/);
    expect(b.broker.hasVhost('orders')).toBe(false);
    expect((await b.users.list()).map((u) => u.name)).toEqual(['guest']);
  });

  it('imports it: the topology works over AMQP and the users sign in with their RabbitMQ passwords', async () => {
    const report = await importDefinitions(services(), readFileSync(FIXTURE, 'utf8'), { apply: true });
    expect(report.counts.error).toBe(0);
    expect(report.applied).toBe(true);
    await expectFixtureTopology();
    expect(await b.users.topicPermissions.list()).toEqual([{ user: 'app', vhost: 'orders', exchange: 'amq.topic', write: '^orders\\..*', read: '.*' }]);
    expect((await b.users.list()).find((u) => u.name === 'ops')).toMatchObject({ tags: ['administrator'], hashing: 'rabbit_password_hashing_sha256' });
  });

  it('imports idempotently: a second import creates nothing and finds everything as the first left it', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const first = await importDefinitions(services(), text, { apply: true });
    const second = await importDefinitions(services(), text, { apply: true });
    expect(second.counts).toEqual({ ...first.counts, created: 0, identical: first.counts.identical + first.counts.created });
  });

  it.skipIf(!rabbitmqInstalled())('imports a file exported just now by the RabbitMQ installed on this machine', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warren-rabbit-export-'));
    try {
      const file = path.join(dir, 'definitions.json');
      await exportFromRabbitmq(file);
      const report = await importDefinitions(services(), readFileSync(file, 'utf8'), { apply: true });
      expect(report.lines.filter((l) => l.outcome === 'error')).toEqual([]);
      expect(report.rabbitVersion).toMatch(/^3\./);
      await expectFixtureTopology();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
