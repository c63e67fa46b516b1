// A publish for a queue whose owner is being replaced waits for the next
// owner, up to 10 s (docs/cluster.md, The forwarding path), instead of being
// nacked at once: kill -9 of the owner during confirmed publishing on another
// node nacks only what was in flight to it, and a publish no owner comes for
// is nacked after the wait, with the reason in the node's log. Real
// PostgreSQL (TEST_DATABASE_URL), nodes are child processes (node-process.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type NodeProcess, pause, SETTLE_MS, within } from './support';

/** Publishes a batch waits for: what may be in flight to the owner when it dies. */
const BATCH = 20;

describe.skipIf(!postgresUrl)('publishes wait for the next owner of a queue (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let w1: NodeProcess;
  let w2: NodeProcess;
  let w3: NodeProcess;

  const start = (name: string) => cluster.start(name);
  const connect = (node: NodeProcess) => cluster.connect(node.url);
  const ownerOf = (queue: string) => cluster.ownerOf(queue);

  beforeAll(async () => {
    await cluster.open();
    [w1, w2, w3] = await Promise.all([start('w1'), start('w2'), start('w3')]);
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('nacks, when the owner is killed, only the publishes in flight to it; the later ones are confirmed by the next owner and consumed', async () => {
    await (await (await connect(w1)).createChannel()).assertQueue('gap'); // w1 owns it
    await pause(SETTLE_MS);

    const publisher = await (await connect(w2)).createConfirmChannel();
    const confirmed = new Set<number>();
    const nackedAfterKill: number[] = [];
    let killed = false;
    let published = 0;
    let publishing = true;
    const publishing$ = (async () => {
      while (publishing) {
        for (let k = 0; k < BATCH; k++) {
          const i = published++;
          publisher.sendToQueue('gap', Buffer.from(String(i)), { persistent: true }, (error) => {
            if (!error) confirmed.add(i);
            else if (killed) nackedAfterKill.push(i);
          });
        }
        await publisher.waitForConfirms().catch(() => pause(50)); // nacked: go on, as a publisher would
      }
    })();

    await within(10_000, 'confirmed publishing through w2', () => confirmed.size >= 200);
    killed = true;
    w1.signal('SIGKILL');
    await w1.exited;
    const publishedAtKill = published;
    await within(15_000, 'a new owner', async () => (await ownerOf('gap')) !== undefined);
    await within(10_000, 'publishes after the kill confirmed', () => [...confirmed].some((i) => i >= publishedAtKill + BATCH));
    await pause(1_000);
    publishing = false;
    await publishing$;

    console.log(
      `kill -9 of the owner: published ${published} (${publishedAtKill} before the kill), confirmed ${confirmed.size}, nacked after the kill ${nackedAfterKill.length}`,
    );
    // Only the batch in flight when the link broke (sent to w1, not confirmed) may be nacked.
    expect(nackedAfterKill.length).toBeLessThanOrEqual(BATCH);
    expect(nackedAfterKill.every((i) => i < publishedAtKill)).toBe(true);

    const consumer = await (await connect(w3)).createChannel();
    const received = new Set<number>();
    const firstDeliveries: number[] = [];
    await consumer.consume(
      'gap',
      (m) => {
        const i = Number(m?.content.toString());
        if (m !== null && !received.has(i)) firstDeliveries.push(i);
        received.add(i);
      },
      { noAck: true },
    );
    await within(15_000, 'every confirmed message consumed', () => [...confirmed].every((i) => received.has(i)));
    // Publishes held for the next owner went in before the ones published after they were released.
    expect(firstDeliveries).toEqual([...firstDeliveries].sort((a, b) => a - b));
  }, 90_000);

  it("nacks a publish after 10 s when no node takes the queue over, saying so in the node's log, refuses a purge meanwhile, and confirms again in order once one does", async () => {
    await (await (await connect(w3)).createChannel()).assertQueue('orphan'); // w3 owns it
    await pause(SETTLE_MS);
    w3.signal('SIGKILL');
    await w3.exited;
    // A lock on the lease row keeps every node from taking it over (take-overs skip locked leases).
    await cluster.admin.query('BEGIN');
    await cluster.admin.query(`SELECT 1 FROM warren_cluster.queue_lease l JOIN public."Queue" q ON q.id = l.queue_id WHERE q.name = 'orphan' FOR UPDATE OF l`);
    try {
      const publisher = await (await connect(w2)).createConfirmChannel();
      const started = performance.now();
      const outcome = await new Promise<Error | null>((resolve) =>
        publisher.sendToQueue('orphan', Buffer.from('waits'), { persistent: true }, (error) => resolve(error ?? null)),
      );
      const waited = performance.now() - started;
      expect(outcome).not.toBeNull();
      expect(waited).toBeGreaterThan(9_000);
      expect(waited).toBeLessThan(13_000);
      expect(w2.output.join('\n')).toContain("no node took over queue 'orphan' in vhost '/' within 10 s");
      // Purge and delete cannot wait for an owner: they say so.
      const purging = await (await connect(w2)).createChannel();
      const refused = new Promise<Error>((resolve) => purging.once('error', resolve));
      await purging.purgeQueue('orphan').catch(() => {});
      expect((await refused).message).toContain(`405 (RESOURCE-LOCKED) with message "RESOURCE_LOCKED - queue 'orphan' has no live owner now`);
    } finally {
      await cluster.admin.query('ROLLBACK');
    }
    // w2 takes the queue at its next heartbeat. Publishes sent meanwhile wait; the ones sent once it serves
    // the queue must not overtake them (a publisher's order is kept across a take-over).
    const publisher = await (await connect(w2)).createConfirmChannel();
    let published = 0;
    for (const until = performance.now() + 3_000; performance.now() < until; await pause(10)) {
      for (let k = 0; k < 10; k++) publisher.sendToQueue('orphan', Buffer.from(String(published++)), { persistent: true });
    }
    await publisher.waitForConfirms();
    expect(await ownerOf('orphan')).toBe('w2');
    const consumer = await (await connect(w2)).createChannel();
    const delivered: number[] = [];
    await consumer.consume('orphan', (m) => m && delivered.push(Number(m.content.toString())), { noAck: true });
    await within(10_000, `all ${published} consumed`, () => delivered.length >= published);
    expect(delivered).toEqual(Array.from({ length: published }, (_, i) => i));
  }, 60_000);
});
