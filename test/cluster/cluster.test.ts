// Cluster mode, step 1 of docs/cluster.md: nodes on loopback sharing one
// PostgreSQL database see each other, refuse a used name, show a node that
// stopped heartbeating as stale, and pass topology changes on within a second.
// Two nodes are child processes (node-process.ts, a third one comes and goes),
// one runs in this process to reach its engine, users and API.

import amqp, { type ChannelModel } from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { FULL_PERMISSION } from '../../server/auth/users';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type InProcessNode, MAIN, makeDataDir, type NodeProcess, nodeEnv, runToExit, within } from './support';

describe('cluster start errors (no PostgreSQL needed)', () => {
  it('cluster mode without a PostgreSQL DATABASE_URL stops the start with one line', async () => {
    const data = makeDataDir();
    try {
      const { code, stderr } = await runToExit(['--import', 'tsx', MAIN, '--cluster'], { WARREN_DATA_DIR: data.dir, DATABASE_URL: '' });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^warren: WARREN_CLUSTER \(or --cluster\) needs DATABASE_URL \(or --database-url\) to name a PostgreSQL database/);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      data.remove();
    }
  });

  it('PostgreSQL out of reach at start is one line naming the address, without the password', async () => {
    const data = makeDataDir();
    try {
      const env = nodeEnv('postgresql://warren:s3cret@127.0.0.1:1/warren', 'n1', data.dir);
      const { code, stderr } = await runToExit(['--import', 'tsx', MAIN], env);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^warren: Cannot reach PostgreSQL at 127\.0\.0\.1:1\/warren \(.*ECONNREFUSED.*\): .*start it or fix DATABASE_URL/);
      expect(stderr).not.toContain('s3cret');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      data.remove();
    }
  });
});

describe.skipIf(!postgresUrl)('a cluster on PostgreSQL (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let n1: NodeProcess;
  let n2: NodeProcess;
  let local: InProcessNode;

  const dataDir = () => cluster.dataDir();
  const start = (name: string, dir = dataDir()) => cluster.start(name, dir);
  const connect = (url: string) => cluster.connect(url);
  /** Whether `queue` exists on the node behind `connection` (a passive declare, on a channel of its own). */
  const hasQueue = async (connection: ChannelModel, queue: string) => {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      await channel.checkQueue(queue);
      await channel.close();
      return true;
    } catch {
      return false;
    }
  };
  /** The node holding the queue's lease. */
  const leaseOwner = async (queue: string) => {
    const rows = await cluster.admin.query<{ node: string }>(
      'SELECT l.node FROM warren_cluster.queue_lease l JOIN public."Queue" q ON q.id = l.queue_id WHERE q.name = $1',
      [queue],
    );
    return rows.rows[0]?.node;
  };
  const api = () =>
    appRouter.createCaller({ services: local.services, user: { name: 'guest', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });

  beforeAll(async () => {
    await cluster.open();
    [n1, n2] = await Promise.all([start('n1'), start('n2')]);
    local = await cluster.startInProcess('local');
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('lists every node as live with its addresses and uptime on the Nodes procedure', async () => {
    const { clustered, self, nodes } = await api().cluster.nodes();
    expect(clustered).toBe(true);
    expect(self).toBe('local');
    expect(nodes.map((n) => [n.name, n.status, n.self])).toEqual([
      ['local', 'live', true],
      ['n1', 'live', false],
      ['n2', 'live', false],
    ]);
    const one = nodes.find((n) => n.name === 'n1')!;
    expect(one.amqpAddress).toBe(n1.url.replace('amqp://guest:guest@', ''));
    expect(one.uptimeMs).toBeGreaterThan(0);
    await within(
      3_000,
      'a heartbeat with the summary',
      async () => ((await api().cluster.nodes()).nodes.find((n) => n.name === 'n1')?.connections ?? null) !== null,
    );
    const again = (await api().cluster.nodes()).nodes.find((n) => n.name === 'n1')!;
    expect(again.lastHeartbeatAgoMs).toBeLessThan(2_500);
    expect(again.memoryBytes).toBeGreaterThan(0);
  });

  it('refuses a second node with a name in use, in one line naming the running one (server/main.ts)', async () => {
    const { code, stderr } = await runToExit(['--import', 'tsx', MAIN], nodeEnv(cluster.url, 'n1', dataDir()));
    expect(code).toBe(1);
    expect(stderr.trimEnd()).toMatch(
      new RegExp(
        `^warren: Node name 'n1' is in use by a running node \\(${n1.url.replace('amqp://guest:guest@', '').replace(/\./g, '\\.')}, last heartbeat \\d+\\.\\d s ago\\); give this node another WARREN_NODE_NAME \\(or --node-name\\) or stop that one\\.$`,
      ),
    );
  });

  it('takes its name back at once when restarted on its data directory after kill -9', async () => {
    const dir = dataDir();
    const first = await start('n4', dir);
    first.signal('SIGKILL');
    await first.exited;
    const again = await start('n4', dir); // within its old lease: refused if it were another node
    const address = again.url.replace('amqp://guest:guest@', '');
    await within(2_000, 'n4 listed again', async () =>
      (await api().cluster.nodes()).nodes.some((n) => n.name === 'n4' && n.status === 'live' && n.amqpAddress === address),
    );
    expect(await again.stop()).toBe(0);
    expect((await api().cluster.nodes()).nodes.find((n) => n.name === 'n4')).toMatchObject({ status: 'left', uptimeMs: null });
  });

  it('passes a queue, an exchange and a binding declared on node 1 to node 2 within a second, and their deletes', async () => {
    const [c1, c2] = await Promise.all([connect(n1.url), connect(n2.url)]);
    const ch1 = await c1.createChannel();
    await ch1.assertExchange('orders', 'topic');
    await ch1.assertQueue('orders.eu');
    await ch1.bindQueue('orders.eu', 'orders', 'eu.#');
    const declaredAt = performance.now();
    await within(1_000, 'queue orders.eu on n2', () => hasQueue(c2, 'orders.eu'));
    // The binding came with it: a publish to n2 through the exchange lands in n2's copy of the queue.
    const ch2 = await c2.createConfirmChannel();
    await within(1_000 - (performance.now() - declaredAt), 'the binding on n2', async () => {
      ch2.publish('orders', 'eu.de', Buffer.from('order 1'));
      await ch2.waitForConfirms();
      return (await ch2.checkQueue('orders.eu')).messageCount > 0;
    });
    expect(local.broker.has('/', 'exchange', 'orders')).toBe(true);

    await ch1.deleteQueue('orders.eu');
    await ch1.deleteExchange('orders');
    await within(1_000, 'the delete on n2', async () => !(await hasQueue(c2, 'orders.eu')));
    await within(1_000, 'the exchange delete on the local node', () => !local.broker.has('/', 'exchange', 'orders'));
  });

  it('lets PostgreSQL decide a queue or exchange declared on two nodes at once with different arguments: one ok, one 406', async () => {
    const [c1, c2] = await Promise.all([connect(n1.url), connect(n2.url)]);
    const channel = async (c: ChannelModel) => {
      const ch = await c.createChannel();
      ch.on('error', () => {});
      return ch;
    };
    for (let round = 0; round < 3; round++) {
      const [ch1, ch2] = await Promise.all([channel(c1), channel(c2)]);
      const results = await Promise.allSettled([
        ch1.assertQueue(`contested-${round}`, { arguments: { 'x-max-length': 1 } }),
        ch2.assertQueue(`contested-${round}`, { arguments: { 'x-max-length': 2 } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(/406 \(PRECONDITION-FAILED\) with message "PRECONDITION_FAILED - inequivalent arg 'x-max-length'/);
    }
    const [ch1, ch2] = await Promise.all([channel(c1), channel(c2)]);
    const exchanges = await Promise.allSettled([ch1.assertExchange('contested-x', 'direct'), ch2.assertExchange('contested-x', 'fanout')]);
    expect(exchanges.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('leaves no trace on other nodes of a durable queue its node refused', async () => {
    const [c1, c2] = await Promise.all([connect(n1.url), connect(n2.url)]);
    const ch1 = await c1.createChannel();
    ch1.on('error', () => {});
    await expect(ch1.assertQueue('refused-args', { arguments: { 'x-max-length': 'many' } })).rejects.toThrow(/406/);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past a feed poll
    expect(await hasQueue(c2, 'refused-args')).toBe(false);
    expect(await hasQueue(c1, 'refused-args')).toBe(false);
    expect(local.broker.has('/', 'queue', 'refused-args')).toBe(false);
  });

  it('passes policies, users and permissions made on one node to the others', async () => {
    local.broker.setPolicy('/', { name: 'cap', pattern: '^capped$', applyTo: 'queues', priority: 0, definition: { 'max-length': 1 } });
    // Declared after the policy here, so applied after it elsewhere (the feed keeps commit order).
    local.broker.declareQueue('/', 'capped', { durable: true });
    const c1 = await connect(n1.url);
    await within(1_000, 'queue capped on n1', () => hasQueue(c1, 'capped'));
    // Made through the engine, not claimed: the first node to heartbeat takes its lease; publish on that one.
    const owner = await within(2_000, 'the lease of capped', async () => (await leaseOwner('capped')) !== undefined).then(() => leaseOwner('capped'));
    const urls: Record<string, string> = { n1: n1.url, n2: n2.url, local: local.url };
    const ch1 = await (await connect(urls[owner!]!)).createConfirmChannel();
    for (const body of ['a', 'b', 'c']) ch1.sendToQueue('capped', Buffer.from(body));
    await ch1.waitForConfirms();
    expect((await ch1.checkQueue('capped')).messageCount).toBe(1);

    await local.users.create('alice', { password: 'alice-pw' }, []);
    await local.users.setPermission('alice', '/', FULL_PERMISSION);
    const alice = n2.url.replace('guest:guest', 'alice:alice-pw');
    let aliceOnN2: ChannelModel | null = null;
    await within(2_000, 'alice signing in on n2', async () => {
      aliceOnN2 = await amqp.connect(alice).catch(() => null);
      return aliceOnN2 !== null;
    });
    const closed = new Promise<void>((resolve) => aliceOnN2!.on('close', () => resolve()));
    aliceOnN2!.on('error', () => {});
    await local.users.delete('alice');
    await within(1_000, "alice's connection to n2 closed", () =>
      Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]),
    );
    await expect(amqp.connect(alice)).rejects.toThrow();
  });

  it("passes the tracing of a vhost and of a queue set on another node's console", async () => {
    const ch1 = await (await connect(n1.url)).createChannel();
    await ch1.assertQueue('traced-elsewhere');
    await within(1_000, 'the queue on the local node', () => local.broker.has('/', 'queue', 'traced-elsewhere'));
    // What n1's Prisma pool writes when its console turns tracing on (n1 runs without a console here).
    const n1Pool = new pg.Client({ connectionString: cluster.url, application_name: 'n1' });
    await n1Pool.connect();
    try {
      await n1Pool.query(`UPDATE public."Queue" SET traced = true WHERE name = 'traced-elsewhere'`);
      await within(1_000, 'the queue traced on the local node', () => local.broker.journeys.state('/').queues.includes('traced-elsewhere'));
      await n1Pool.query(`UPDATE public."Vhost" SET traced = true WHERE name = '/'`);
      await within(1_000, 'the vhost traced on the local node', () => local.broker.journeys.state('/').vhost);
      await n1Pool.query(`UPDATE public."Vhost" SET traced = false WHERE name = '/'`);
      await n1Pool.query(`UPDATE public."Queue" SET traced = false WHERE name = 'traced-elsewhere'`);
      await within(1_000, 'tracing off on the local node', () => {
        const state = local.broker.journeys.state('/');
        return !state.vhost && state.queues.length === 0;
      });
    } finally {
      await n1Pool.end();
    }
  });

  it('carries on after its PostgreSQL connections are cut: heartbeats and the feed come back', async () => {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      const cut = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'n2'");
      expect(cut.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const [c1, c2] = await Promise.all([connect(n1.url), connect(n2.url)]);
    const ch1 = await c1.createChannel();
    await ch1.assertQueue('after-the-cut');
    await within(3_000, 'the queue on n2 after its reconnect', () => hasQueue(c2, 'after-the-cut'));
    // And n2's own writes (Prisma's pool lost its connections too) still reach the others.
    await (await c2.createChannel()).assertQueue('from-n2-after-the-cut');
    await within(3_000, 'the queue from n2 on n1', () => hasQueue(c1, 'from-n2-after-the-cut'));
    await within(3_000, 'n2 heartbeating', async () => {
      const row = (await api().cluster.nodes()).nodes.find((n) => n.name === 'n2');
      return row?.status === 'live' && row.lastHeartbeatAgoMs < 1_500;
    });
    expect(n2.output.join('\n')).toMatch(/lost the connection to PostgreSQL at 127\.0\.0\.1:5432\/\S+ \(.*\); reconnecting/);
    expect(n2.output.join('\n')).toContain('connected to PostgreSQL at');
  });

  it('trims feed rows older than an hour at a start, and a node that had not read them says it must be restarted', async () => {
    const n5 = await start('n5');
    n5.signal('SIGSTOP'); // briefly: within its lease
    const c1 = await connect(n1.url);
    await (await c1.createChannel()).assertQueue('missed-by-n5');
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      await within(
        1_000,
        'the change in the feed',
        async () => (await admin.query("SELECT 1 FROM warren_cluster.topology_change WHERE row->>'name' = 'missed-by-n5'")).rowCount! > 0,
      );
      await admin.query("UPDATE warren_cluster.topology_change SET at = now() - interval '2 hours'");
      const n6 = await start('n6'); // its start trims
      expect((await admin.query('SELECT count(*)::int AS n FROM warren_cluster.topology_change')).rows[0].n).toBe(0);
      n5.signal('SIGCONT');
      await within(3_000, "n5's line", () => n5.output.some((line) => line.includes('were deleted from the feed before this node read them')));
      expect(n5.output.join('\n')).toMatch(/restart this node to load the topology again/);
      // The node that started after the trim neither misses anything nor complains.
      const c6 = await connect(n6.url);
      expect(await hasQueue(c6, 'missed-by-n5')).toBe(true);
      await (await c1.createChannel()).assertQueue('after-the-trim');
      await within(1_000, 'a change after the trim on n6', () => hasQueue(c6, 'after-the-trim'));
      expect(n6.output.join('\n')).not.toContain('deleted from the feed');
    } finally {
      await admin.end();
    }
  }, 30_000);

  it('shows a node that stops heartbeating as stale; its name may then be taken, and the old process stops when it wakes', async () => {
    const n3 = await start('n3');
    await within(3_000, 'n3 live', async () => (await api().cluster.nodes()).nodes.some((n) => n.name === 'n3' && n.status === 'live'));
    n3.signal('SIGSTOP');
    const stale = await within(9_000, 'n3 stale', async () => (await api().cluster.nodes()).nodes.some((n) => n.name === 'n3' && n.status === 'stale'));
    expect(stale).toBeGreaterThan(3_000); // not before its lease (5 s after the last heartbeat) ran out
    const row = (await api().cluster.nodes()).nodes.find((n) => n.name === 'n3')!;
    expect(row.uptimeMs).toBeNull();
    expect(row.lastHeartbeatAgoMs).toBeGreaterThan(4_000);

    const successor = await start('n3'); // another data directory: a different node taking the free name
    const address = successor.url.replace('amqp://guest:guest@', '');
    await within(2_000, 'the successor listed', async () =>
      (await api().cluster.nodes()).nodes.some((n) => n.name === 'n3' && n.status === 'live' && n.amqpAddress === address),
    );
    n3.signal('SIGCONT');
    expect(await Promise.race([n3.exited, new Promise((r) => setTimeout(() => r('still running'), 5_000))])).toBe(1);
    expect(n3.output.at(-1)).toMatch(/^warren: Node name 'n3' is in use by a running node/);
  }, 30_000);
});
