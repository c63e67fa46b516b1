// The console of any node lists the client connections and channels of every
// node, each with its node, and closes a client connected to another node
// (docs/cluster.md, Connections on every node). Two nodes in this process, to reach both
// consoles' API. Real PostgreSQL (TEST_DATABASE_URL).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { createManagementHandler } from '../../server/http/management/router';
import { MANAGEMENT_ROUTES } from '../../server/http/management/routes';
import { rabbitmqadmin } from '../management/rabbitmqadmin';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type InProcessNode, within } from './support';

describe.skipIf(!postgresUrl)('connections across the cluster (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let c1: InProcessNode;
  let c2: InProcessNode;

  const api = (node: InProcessNode, tags = ['administrator']) =>
    appRouter.createCaller({ services: node.services, user: { name: 'guest', tags }, peerAddress: '127.0.0.1', setCookie: () => {} });

  beforeAll(async () => {
    await cluster.open();
    c1 = await cluster.startInProcess('c1');
    c2 = await cluster.startInProcess('c2');
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it("lists every node's clients on each console, and closes one connected to the other node", async () => {
    const onC2 = await amqp.connect(c2.url, { clientProperties: { connection_name: 'billing-on-c2' } });
    // amqplib reports 320 through 'close' (it is not a "fatal" code for it).
    const closed = new Promise<Error & { code?: number }>((resolve) => onC2.on('close', resolve));
    const channel = await onC2.createChannel();
    await channel.assertQueue('billing', { durable: false });
    await channel.consume('billing', () => {});
    const onC1 = await cluster.connect(c1.url);
    await (await onC1.createChannel()).assertQueue('reports', { durable: false });

    type Row = Awaited<ReturnType<ReturnType<typeof api>['connections']['list']>>[number];
    const byName = (rows: Row[], name: string) => rows.find((c) => c.name === name);
    let rows: Row[] = [];
    await within(5_000, "c2's client listed on c1's console", async () => {
      rows = await api(c1).connections.list();
      return byName(rows, 'billing-on-c2')?.consumers === 1;
    });
    const remote = byName(rows, 'billing-on-c2')!;
    expect(remote.node).toBe('c2');
    expect(remote.id).toMatch(/^conn-\d+@c2$/);
    expect(remote.channelList.map((ch) => ch.consumers.map((c) => c.queue))).toEqual([['billing']]);
    const local = rows.find((c) => c.node === 'c1')!;
    expect(local.id).toMatch(/^conn-\d+$/);
    // Only the two clients: neither node's link to the other, nor the console's own connections.
    expect(rows.map((c) => c.node).sort()).toEqual(['c1', 'c2']);
    await within(5_000, "c1's client listed on c2's console", async () => (await api(c2).connections.list()).some((c) => c.node === 'c1'));

    const channels = await api(c1).connections.channels();
    expect(channels.filter((ch) => ch.connection.node === 'c2').map((ch) => [ch.connection.id, ch.consumers.length])).toEqual([[remote.id, 1]]);

    // The overview counts the clients of both nodes, and the messages of a queue c2 serves, published through c1 (over its link to c2).
    await channel.assertQueue('ledger', { durable: true });
    const publisher = await onC1.createConfirmChannel();
    for (let i = 0; i < 3; i++) publisher.sendToQueue('ledger', Buffer.from(`entry ${i}`), { persistent: true });
    await publisher.waitForConfirms();
    expect(c2.broker.listConnections().some((c) => c.user === 'cluster:c1')).toBe(true);
    await within(5_000, "c1's overview counts c2's queue and clients", async () => {
      const totals = await api(c1).system.totals();
      return totals.ready === 3 && totals.connections === 2 && totals.channels === 3;
    });
    // Each node's figure on the Nodes page counts its clients, not the other node's link.
    await within(5_000, 'one client on each node', async () => (await api(c1).cluster.nodes()).nodes.every((n) => n.connections === 1));

    await expect(api(c1, ['monitoring']).connections.close({ id: remote.id })).rejects.toThrow(/may only look/);
    await expect(api(c1).connections.close({ id: 'conn-999@c2' })).rejects.toThrow('Connection conn-999@c2 is no longer open.');

    await api(c1).connections.close({ id: remote.id, reason: 'billing moves to the new cluster' });
    const error = await closed;
    expect(error.code).toBe(320);
    expect(error.message).toContain('CONNECTION_FORCED - billing moves to the new cluster');
    await within(5_000, "the closed client gone from c1's console", async () => !byName(await api(c1).connections.list(), 'billing-on-c2'));
    const audit = await api(c1).audit.list({});
    expect(audit.find((e) => e.action === 'connection.close')?.target).toBe(`connection ${remote.id.split('@')[0]} on node 'c2'`);
  }, 30_000);

  it("answers rabbitmqadmin on one node with every node's clients and channels, and closes one on another node", async () => {
    const management = createServer(createManagementHandler(MANAGEMENT_ROUTES, () => c1.services));
    await new Promise<void>((resolve) => management.listen(0, '127.0.0.1', resolve));
    const admin = (...args: string[]) => rabbitmqadmin((management.address() as AddressInfo).port, ...args);
    try {
      const onC2 = await amqp.connect(c2.url, { clientProperties: { connection_name: 'payroll-on-c2' } });
      const closed = new Promise<Error & { code?: number }>((resolve) => onC2.on('close', resolve));
      await (await onC2.createChannel()).prefetch(7);
      const onC1 = await cluster.connect(c1.url);
      await onC1.createChannel();

      const c2Port = c2.url.split(':').at(-1);
      let listed = '';
      await within(5_000, "c2's client in c1's /api/connections", async () => {
        listed = await admin('list', 'connections', 'name', 'node', 'user_provided_name', 'port', 'channels', 'user');
        return listed.includes('payroll-on-c2');
      });
      const rows = listed
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t'));
      const remote = rows.find((r) => r[2] === 'payroll-on-c2')!;
      expect(remote).toEqual([expect.stringMatching(/^conn-\d+@c2$/), 'c2', 'payroll-on-c2', c2Port, '1', 'guest']);
      // c1's own clients too, and no link between the nodes (its user is cluster:<node>).
      expect(rows.filter((r) => r[1] === 'c2')).toEqual([remote]);
      expect(rows.some((r) => r[1] === 'c1')).toBe(true);
      expect(rows.every((r) => r[5] === 'guest')).toBe(true);

      const channels = await admin('list', 'channels', 'name', 'node', 'prefetch_count');
      expect(channels).toContain(`${remote[0]} (1)\tc2\t7`);

      expect(await admin('close', 'connection', `name=${remote[0]}`)).toBe('connection closed');
      expect((await closed).code).toBe(320);
      await within(5_000, "the closed client gone from c1's /api/connections", async () => !(await admin('list', 'connections', 'name')).includes('@c2'));
    } finally {
      await new Promise((resolve) => management.close(resolve));
    }
  }, 30_000);
});
