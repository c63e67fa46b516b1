// queue.purge and queue.delete of a queue another node owns (docs/cluster.md,
// The forwarding path): the owner does them and answers its counts, with
// RabbitMQ's 406 for if-unused and if-empty; a deleted queue is gone on every
// node. Two nodes are child processes (node-process.ts), the third runs in this
// process to reach the console's API. Real PostgreSQL (TEST_DATABASE_URL).

import type { Channel, ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type InProcessNode, type NodeProcess, pause, SETTLE_MS, within } from './support';

describe.skipIf(!postgresUrl)('purge and delete of a queue another node owns (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let n1: NodeProcess;
  let n2: NodeProcess;
  let local: InProcessNode;

  const start = (name: string) => cluster.start(name);
  const connect = (url: string) => cluster.connect(url);
  const api = () =>
    appRouter.createCaller({ services: local.services, user: { name: 'guest', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });

  /** A durable queue declared on n1 (so n1 owns it) holding `count` confirmed persistent messages, and a consumer on n1 that records what it gets. */
  const ownedByN1 = async (queue: string, count: number) => {
    const owner = await (await connect(n1.url)).createConfirmChannel();
    await owner.assertQueue(queue);
    for (let i = 0; i < count; i++) owner.sendToQueue(queue, Buffer.from(String(i)), { persistent: true });
    await owner.waitForConfirms();
    await pause(SETTLE_MS);
    return owner;
  };
  const consumeOnN1 = async (queue: string) => {
    const received: ConsumeMessage[] = [];
    const ch = await (await connect(n1.url)).createChannel();
    ch.on('error', () => {});
    await ch.consume(queue, (m) => m && received.push(m), { noAck: true });
    return received;
  };
  /** The channel error a method on a fresh channel of `url` ends with. */
  const refusal = async (url: string, method: (ch: Channel) => Promise<unknown>) => {
    const ch = await (await connect(url)).createChannel();
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    await method(ch).catch(() => {});
    return closed;
  };

  beforeAll(async () => {
    await cluster.open();
    [n1, n2] = await Promise.all([start('o1'), start('o2')]);
    local = await cluster.startInProcess('o3');
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('purges on node 3 a queue node 1 owns: purge-ok has node 1 count, and node 1 consumers get nothing after', async () => {
    await ownedByN1('purged', 100);
    const ok = await (await (await connect(local.url)).createChannel()).purgeQueue('purged');
    expect(ok.messageCount).toBe(100);

    const received = await consumeOnN1('purged');
    const check = await (await (await connect(n2.url)).createChannel()).checkQueue('purged');
    expect(check.messageCount).toBe(0); // n2 asks the owner
    await pause(500);
    expect(received).toHaveLength(0);
  });

  it('deletes on node 3 a queue node 1 owns: delete-ok has node 1 count, consumers are cancelled, and the queue is gone on every node', async () => {
    await ownedByN1('deleted', 40);
    const consumer = await (await connect(n1.url)).createChannel();
    let cancelled = false;
    // A consumer that takes nothing (prefetch 1, never acks) keeps 39 messages ready for the count.
    await consumer.prefetch(1);
    await consumer.consume('deleted', (m) => {
      if (m === null) cancelled = true;
    });
    await pause(200);

    const ok = await (await (await connect(local.url)).createChannel()).deleteQueue('deleted');
    expect(ok.messageCount).toBe(39);
    await within(3_000, 'the consumer on n1 cancelled', () => cancelled);
    // Gone on node 3 at once, and on the others through the feed.
    expect(local.broker.has('/', 'queue', 'deleted')).toBe(false);
    for (const url of [n1.url, n2.url, local.url]) {
      await within(3_000, `queue gone on ${url}`, async () => {
        const error = await refusal(url, (ch) => ch.checkQueue('deleted'));
        return /404/.test(error.message);
      });
    }
  });

  it('refuses on node 3, with RabbitMQ 406, deleting a queue of node 1 that has a consumer (if-unused) or messages (if-empty)', async () => {
    await ownedByN1('guarded', 5);
    const inUse = await consumeOnN1('guarded');
    const unused = await refusal(local.url, (ch) => ch.deleteQueue('guarded', { ifUnused: true }));
    expect(unused.message).toContain(`406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - queue 'guarded' in vhost '/' in use"`);
    expect(inUse).toHaveLength(5); // the consumer was on n1: node 3's own copy had none

    await ownedByN1('full', 3);
    const empty = await refusal(local.url, (ch) => ch.deleteQueue('full', { ifEmpty: true }));
    expect(empty.message).toContain(`406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - queue 'full' in vhost '/' not empty"`);
    const still = await (await (await connect(n1.url)).createChannel()).checkQueue('full');
    expect(still.messageCount).toBe(3);
    expect(local.broker.has('/', 'queue', 'full')).toBe(true);
  });

  it("purges and deletes from node 3's console a queue node 1 owns, with node 1's counts", async () => {
    await ownedByN1('console-purged', 25);
    expect(await api().queues.purge({ vhost: '/', name: 'console-purged' })).toEqual({ purged: 25 });
    const check = await (await (await connect(n1.url)).createChannel()).checkQueue('console-purged');
    expect(check.messageCount).toBe(0);

    await ownedByN1('console-deleted', 7);
    await expect(api().queues.delete({ vhost: '/', name: 'console-deleted', ifEmpty: true })).rejects.toThrow(/not empty/);
    expect(await api().queues.delete({ vhost: '/', name: 'console-deleted' })).toEqual({ messagesLost: 7 });
    await within(3_000, 'queue gone on n1', async () => /404/.test((await refusal(n1.url, (ch) => ch.checkQueue('console-deleted'))).message));
  });
});
