// The owner of a queue killed with -9 again and again during confirmed
// publishing (docs/cluster.md, Failure cases: owner dies): ten cycles of
// kill and restart, a publisher and a consumer that reconnect to another node
// from the list of nodes. Every confirmed message is consumed at least once,
// duplicates are counted and reported, the publisher's order is kept, and the
// queue is served again within 10 s of each kill. Real PostgreSQL
// (TEST_DATABASE_URL), nodes are child processes (node-process.ts).

import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type NodeProcess, pause, within } from './support';

const CYCLES = 10;
const SERVED_AGAIN_MS = 10_000;

describe.skipIf(!postgresUrl)('kill -9 of a queue owner, ten times (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  /** Each node name's data directory: a restarted node comes back on its own. */
  const dirs = new Map<string, string>();
  /** The running process of each node name. */
  const nodes = new Map<string, NodeProcess>();
  let stopped = false;

  const start = async (name: string) => {
    let dir = dirs.get(name);
    if (dir === undefined) dirs.set(name, (dir = cluster.dataDir()));
    const node = await cluster.start(name, dir);
    nodes.set(name, node);
    return node;
  };
  /** Connects to the first node of the list that answers, starting after the one used last (a client's list of URLs). */
  let next = 0;
  const connectToAny = async (): Promise<ChannelModel> => {
    for (;;) {
      const urls = [...nodes.values()].map((n) => n.url);
      const url = urls[next++ % urls.length]!;
      try {
        const connection = await amqp.connect(url);
        connection.on('error', () => {});
        return connection;
      } catch {
        await pause(100);
      }
    }
  };
  const ownerOf = async (queue: string) =>
    (
      await cluster.admin.query<{ node: string }>(
        `SELECT l.node FROM warren_cluster.queue_lease l
           JOIN warren_cluster.cluster_node n ON n.name = l.node AND n.incarnation = l.incarnation AND n.lease_expires_at > now()
           JOIN public."Queue" q ON q.id = l.queue_id
          WHERE q.name = $1`,
        [queue],
      )
    ).rows[0]?.node;

  beforeAll(async () => {
    await cluster.open();
    for (const name of ['c1', 'c2', 'c3']) await start(name);
  }, 60_000);

  afterAll(async () => {
    stopped = true;
    await cluster.close();
  }, 60_000);

  it(`loses no confirmed message over ${CYCLES} kills of the owner, keeps the publisher's order, and serves again within 10 s`, async () => {
    const setup = await connectToAny();
    await (await setup.createChannel()).assertQueue('ledger');
    await setup.close();
    await pause(2_000); // every node knows the queue and its owner

    const confirmed = new Set<number>();
    let published = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing && !stopped) {
        const connection = await connectToAny();
        try {
          const ch = await connection.createConfirmChannel();
          ch.on('error', () => {});
          while (publishing) {
            for (let k = 0; k < 20; k++) {
              const i = published++;
              ch.sendToQueue('ledger', Buffer.from(String(i)), { persistent: true }, (error) => {
                if (!error) confirmed.add(i);
              });
            }
            await ch.waitForConfirms().catch(() => pause(50)); // nacked: those are not confirmed; go on
          }
        } catch {
          // the node went away: the next one from the list
        }
        await connection.close().catch(() => {});
      }
    })();

    const received: number[] = [];
    let consuming = true;
    const consumer = (async () => {
      while (consuming && !stopped) {
        const connection = await connectToAny();
        const closed = new Promise((resolve) => connection.once('close', resolve));
        try {
          const ch = await connection.createChannel();
          ch.on('error', () => {});
          await ch.prefetch(100);
          const consume = async () => {
            await ch.consume('ledger', (m) => {
              if (m === null) {
                void pause(200)
                  .then(consume)
                  .catch(() => {}); // cancelled by the server: consume again
                return;
              }
              received.push(Number(m.content.toString()));
              ch.ack(m);
            });
          };
          await consume();
          await Promise.race([
            closed,
            (async () => {
              while (consuming) await pause(100);
            })(),
          ]);
        } catch {
          // the node went away: the next one from the list
        }
        await connection.close().catch(() => {});
      }
    })();

    const servedAgain: number[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await within(SERVED_AGAIN_MS, 'a live owner', async () => (await ownerOf('ledger')) !== undefined);
      await within(SERVED_AGAIN_MS, 'messages flowing', () => received.length > 0 && confirmed.size > 0);
      await pause(1_000);
      const owner = (await ownerOf('ledger'))!;
      const victim = nodes.get(owner)!;
      const publishedBefore = published;
      victim.signal('SIGKILL');
      await victim.exited;
      // Served again: a message published after the kill reaches the consumer.
      const receivedBefore = received.length;
      const confirmedBefore = confirmed.size;
      try {
        servedAgain.push(await within(SERVED_AGAIN_MS + 5_000, `cycle ${cycle}: served again`, () => received.some((i) => i >= publishedBefore)));
      } catch (error) {
        console.log(
          `cycle ${cycle}: killed ${owner}; owner now ${await ownerOf('ledger')}; published ${publishedBefore}→${published}, ` +
            `confirmed ${confirmedBefore}→${confirmed.size}, received ${receivedBefore}→${received.length}, last ${received.at(-1)}`,
        );
        for (const [name, node] of nodes) console.log(`--- ${name}\n${node.output.slice(-15).join('\n')}`);
        throw error;
      }
      await start(owner);
    }
    publishing = false;
    await publisher;
    await within(20_000, 'every confirmed message consumed', () => {
      const seen = new Set(received);
      return [...confirmed].every((i) => seen.has(i));
    });
    consuming = false;
    await consumer;

    const firsts: number[] = [];
    const seen = new Set<number>();
    for (const i of received) {
      if (!seen.has(i)) firsts.push(i);
      seen.add(i);
    }
    const duplicates = received.length - seen.size;
    console.log(
      `${CYCLES} kills: published ${published}, confirmed ${confirmed.size}, received ${received.length}, duplicates ${duplicates}, ` +
        `served again after ${servedAgain.map((ms) => Math.round(ms)).join(', ')} ms`,
    );
    expect(firsts).toEqual([...firsts].sort((x, y) => x - y)); // one publisher: first deliveries in its order
    expect(Math.max(...servedAgain)).toBeLessThan(SERVED_AGAIN_MS);
    expect(confirmed.size).toBeGreaterThan(CYCLES * 100);
  }, 300_000);
});
