// A node that loses PostgreSQL (docs/cluster.md, Failure cases: one node
// loses PostgreSQL): n1 reaches the database through a TCP proxy that the
// test cuts, n2 directly. n1's publishers get connection.blocked; past n1's
// self-fence deadline its clients are closed with 320 and new ones refused;
// n2 takes n1's queue over and serves every confirmed message; once the proxy
// forwards again n1 rejoins as a new incarnation and serves clients again.
// Real PostgreSQL (TEST_DATABASE_URL), nodes are child processes
// (node-process.ts).

import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { freshPostgresDatabase, postgresUrl } from '../db/helpers';
import { type InProcessNode, makeDataDir, type NodeProcess, nodeEnv, openInProcessNode, spawnNode, within } from './support';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const FORCED = 'CONNECTION_FORCED - node lost its database, reconnect to another node';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!postgresUrl)('a node that loses PostgreSQL (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let admin: pg.Client;
  let proxy: TcpProxy;
  /** n3 in this process, behind a proxy of its own, for its console API (the second test). */
  let n3: InProcessNode | undefined;
  let n3Proxy: TcpProxy;
  const through = (p: TcpProxy) => {
    const proxied = new URL(database.url);
    proxied.host = `127.0.0.1:${p.port}`;
    return proxied.toString();
  };
  const dirs: ReturnType<typeof makeDataDir>[] = [];
  const processes: NodeProcess[] = [];
  const clients: ChannelModel[] = [];

  const start = async (name: string, databaseUrl: string) => {
    const dir = makeDataDir();
    dirs.push(dir);
    const node = await spawnNode(nodeEnv(databaseUrl, name, dir.dir));
    processes.push(node);
    return node;
  };
  const connect = async (url: string) => {
    const connection = await amqp.connect(url);
    connection.on('error', () => {});
    clients.push(connection);
    return connection;
  };
  const owner = async (queue: string) =>
    (
      await admin.query<{ node: string; epoch: string }>(
        `SELECT l.node, l.epoch::text AS epoch FROM warren_cluster.queue_lease l
           JOIN warren_cluster.cluster_node n ON n.name = l.node AND n.incarnation = l.incarnation AND n.lease_expires_at > now()
           JOIN public."Queue" q ON q.id = l.queue_id
          WHERE q.name = $1`,
        [queue],
      )
    ).rows[0];
  const incarnation = async (name: string) =>
    (await admin.query<{ incarnation: string }>('SELECT incarnation::text FROM warren_cluster.cluster_node WHERE name = $1', [name])).rows[0]?.incarnation;
  /** Drains `queue` on the node behind `connection` until `want` holds or nothing came for a while. */
  const drain = async (connection: ChannelModel, queue: string, into: Set<number>, want: () => boolean) => {
    const ch = await connection.createChannel();
    await ch.prefetch(200);
    await ch.consume(queue, (m) => {
      if (m === null) return;
      into.add(Number(m.content.toString()));
      ch.ack(m);
    });
    await within(15_000, `every confirmed message of '${queue}' received`, want);
    await ch.close();
  };

  beforeAll(async () => {
    database = await freshPostgresDatabase(postgresUrl as string);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    n3Proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await start('n1', through(proxy));
    await start('n2', database.url);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    for (const p of processes) await p.stop();
    await n3?.close();
    await proxy?.close();
    await n3Proxy?.close();
    await admin?.end();
    await database?.drop();
    for (const d of dirs) d.remove();
  }, 60_000);

  it('blocks its publishers, closes its clients with 320 past its deadline, hands its queue over, and rejoins once the database is back', async () => {
    const [n1, n2] = processes as [NodeProcess, NodeProcess];
    const firstIncarnation = await incarnation('n1');

    // A queue n1 owns, with messages confirmed before the cut.
    const publisherConnection = await connect(n1.url);
    const publisher: ConfirmChannel = await publisherConnection.createConfirmChannel();
    publisher.on('error', () => {});
    await publisher.assertQueue('ledger');
    expect(await owner('ledger')).toMatchObject({ node: 'n1', epoch: '1' });
    const confirmed = new Set<number>();
    let next = 0;
    const publishSome = async (channel: ConfirmChannel, count: number) => {
      for (let k = 0; k < count; k++) {
        const i = next++;
        channel.sendToQueue('ledger', Buffer.from(String(i)), { persistent: true }, (error) => {
          if (!error) confirmed.add(i);
        });
      }
      await channel.waitForConfirms();
    };
    await publishSome(publisher, 200);
    expect(confirmed.size).toBe(200);

    const blocked: string[] = [];
    let unblocked = 0;
    publisherConnection.on('blocked', (reason: string) => blocked.push(reason));
    publisherConnection.on('unblocked', () => unblocked++);
    // The publisher keeps going while the database goes away: what is nacked or never answered is not confirmed.
    let publishing = true;
    const publishingLoop = (async () => {
      while (publishing) await publishSome(publisher, 10).catch(() => pause(50));
    })();
    await pause(300);

    // A short break, well within the lease: blocked, then unblocked; nothing closed, nothing moved.
    proxy.cut();
    await within(5_000, 'connection.blocked on n1 (short break)', () => blocked.length > 0);
    expect(blocked[0]).toMatch(/^node lost its database \(.+\); publishing resumes when it is back$/);
    await pause(500);
    proxy.restore();
    const unblockedMs = await within(5_000, 'connection.unblocked on n1', () => unblocked > 0);
    const afterBreak = confirmed.size;
    await within(5_000, 'publishes confirmed again', () => confirmed.size > afterBreak + 50);
    expect(await owner('ledger')).toMatchObject({ node: 'n1', epoch: '1' });
    expect(await incarnation('n1')).toBe(firstIncarnation);
    blocked.length = 0;

    const closedWith = (connection: ChannelModel) =>
      new Promise<string>((resolve) => connection.once('close', (error?: Error) => resolve(error?.message ?? 'closed without an error')));
    const publisherClosed = closedWith(publisherConnection);
    const consumerOnN1 = await connect(n1.url);
    const consumerClosed = closedWith(consumerOnN1);
    await (await consumerOnN1.createChannel()).consume('ledger', () => {}); // only n1 serves it now: nothing is taken before the cut ends

    // A break past the lease.
    await pause(300);
    const cutAt = performance.now();
    proxy.cut();

    const blockedMs = await within(5_000, 'connection.blocked on n1', () => blocked.length > 0);

    // Past its deadline (4 s after its last renewal was sent) n1 closes its clients, the consumer's connection as well as the publisher's.
    expect(await publisherClosed).toContain(FORCED);
    const closedMs = performance.now() - cutAt;
    expect(await consumerClosed).toContain(FORCED);
    publishing = false;
    await publishingLoop;
    expect(closedMs).toBeGreaterThan(3_000);
    // New connections are refused with the same words until it has rejoined.
    await expect(amqp.connect(n1.url)).rejects.toThrow(FORCED);

    // n2 takes the queue over and serves every confirmed message.
    await within(15_000, "n2 takes n1's queue over", async () => (await owner('ledger'))?.node === 'n2');
    const takenMs = performance.now() - cutAt;
    expect(await owner('ledger')).toMatchObject({ node: 'n2', epoch: '2' });
    const received = new Set<number>();
    const onN2 = await connect(n2.url);
    await drain(onN2, 'ledger', received, () => [...confirmed].every((i) => received.has(i)));

    // The database is back: n1 rejoins as a new incarnation and serves clients again.
    proxy.restore();
    const restoredAt = performance.now();
    let again: ChannelModel | null = null;
    await within(15_000, 'n1 admits clients again', async () => {
      again = await amqp.connect(n1.url).catch(() => null);
      return again !== null;
    });
    const rejoinedMs = performance.now() - restoredAt;
    const back = again as unknown as ChannelModel;
    back.on('error', () => {});
    clients.push(back);
    expect(await incarnation('n1')).not.toBe(firstIncarnation);
    expect(n1.output.some((line) => line.includes('joining again as a new incarnation'))).toBe(true);
    // It publishes again (confirmed, through n2 that owns the queue now) and consumes through itself.
    const publisherAgain = await back.createConfirmChannel();
    const before = confirmed.size;
    await publishSome(publisherAgain, 100);
    expect(confirmed.size).toBe(before + 100);
    await drain(back, 'ledger', received, () => [...confirmed].every((i) => received.has(i)));

    console.log(
      `n1 cut from PostgreSQL for 0.5 s: unblocked ${Math.round(unblockedMs)} ms after the restore; for good: blocked after ${Math.round(blockedMs)} ms, clients closed after ${Math.round(closedMs)} ms, ` +
        `queue taken over by n2 after ${Math.round(takenMs)} ms, admitting clients ${Math.round(rejoinedMs)} ms after the restore; ` +
        `${confirmed.size} confirmed, all received, ${next - confirmed.size} not confirmed`,
    );
  }, 90_000);

  it('says on its Nodes page that it lost its database, and whether it closed its clients; lists the nodes again once it is back', async () => {
    const n3Dir = makeDataDir();
    dirs.push(n3Dir);
    const node = await openInProcessNode(through(n3Proxy), 'n3', n3Dir.dir);
    n3 = node;
    const api = () =>
      appRouter.createCaller({ services: node.services, user: { name: 'guest', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });
    expect(await api().cluster.nodes()).toMatchObject({ clustered: true, self: 'n3', databaseLoss: null });
    n3Proxy.cut();
    await within(3_000, 'the loss on the Nodes page', async () => (await api().cluster.nodes()).databaseLoss !== null);
    expect(await api().cluster.nodes()).toMatchObject({ nodes: [], databaseLoss: { cause: expect.stringContaining('PostgreSQL'), fenced: false } });
    await within(6_000, 'fenced on the Nodes page', async () => (await api().cluster.nodes()).databaseLoss?.fenced === true);
    n3Proxy.restore();
    await within(10_000, 'the nodes listed again', async () => (await api().cluster.nodes()).databaseLoss === null);
    expect((await api().cluster.nodes()).nodes.find((n) => n.name === 'n3')).toMatchObject({ status: 'live', self: true });
  }, 30_000);

  it('does the same when the network drops its database packets silently: the unanswered heartbeat blocks, the deadline closes, the node reconnects', async () => {
    const [n1, n2] = processes as [NodeProcess, NodeProcess];
    const publisherConnection = await connect(n1.url);
    const publisher = await publisherConnection.createConfirmChannel();
    publisher.on('error', () => {});
    await publisher.assertQueue('silent');
    await within(3_000, 'n1 owns the queue', async () => (await owner('silent'))?.node === 'n1');
    const confirmed = new Set<number>();
    for (let i = 0; i < 100; i++)
      publisher.sendToQueue('silent', Buffer.from(String(i)), { persistent: true }, (error) => {
        if (!error) confirmed.add(i);
      });
    await publisher.waitForConfirms();
    const blocked: string[] = [];
    publisherConnection.on('blocked', (reason: string) => blocked.push(reason));
    const closed = new Promise<string>((resolve) => publisherConnection.once('close', (error?: Error) => resolve(error?.message ?? '')));
    publisher.sendToQueue('silent', Buffer.from('during'), { persistent: true }); // marks it a publisher, if the first ones did not

    const cutAt = performance.now();
    proxy.cut({ silently: true });
    await within(5_000, 'connection.blocked on n1', () => blocked.length > 0);
    const blockedMs = performance.now() - cutAt;
    expect(blocked[0]).toMatch(/^node lost its database \(PostgreSQL has not answered a heartbeat for \d+\.\d s\); publishing resumes when it is back$/);
    expect(await closed).toContain(FORCED);
    const closedMs = performance.now() - cutAt;
    await within(15_000, "n1's queue taken over", async () => ((await owner('silent'))?.node ?? 'n1') !== 'n1');
    const received = new Set<number>();
    await drain(await connect(n2.url), 'silent', received, () => [...confirmed].every((i) => received.has(i)));

    proxy.restore();
    const restoredAt = performance.now();
    let again: ChannelModel | null = null;
    await within(20_000, 'n1 admits clients again', async () => {
      again = await amqp.connect(n1.url).catch(() => null);
      return again !== null;
    });
    const back = again as unknown as ChannelModel;
    back.on('error', () => {});
    clients.push(back);
    const rejoinedMs = performance.now() - restoredAt;
    const ch = await back.createConfirmChannel();
    ch.sendToQueue('silent', Buffer.from('after'), { persistent: true });
    await ch.waitForConfirms();
    console.log(
      `n1's database packets dropped: blocked after ${Math.round(blockedMs)} ms, clients closed after ${Math.round(closedMs)} ms, ` +
        `admitting clients ${Math.round(rejoinedMs)} ms after the restore; ${confirmed.size} confirmed, all received`,
    );
  }, 60_000);
});
