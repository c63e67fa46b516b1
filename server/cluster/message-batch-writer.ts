/**
 * Group commit of queue messages to PostgreSQL (docs/cluster.md, Messages in
 * PostgreSQL): entries, removals and delivered marks of the queues this node owns are appended
 * to the batch being built, in call order; the first append or flush
 * schedules a commit; one batch is in flight at a time, and what arrives
 * meanwhile becomes the next batch, sent the moment the previous COMMIT
 * returns. A flush's callback runs once the batch holding everything recorded
 * before it has committed. Each batch is one call of
 * `warren_cluster.commit_batch` (multi-row inserts from arrays, fenced by the
 * epochs of the leases it writes under): a refused or failed batch fails the
 * callbacks waiting on it, so their publishers get a nack.
 */
import { writeBasicProperties } from '../amqp/codec/generated/spec';
import { Writer } from '../amqp/codec/writer';
import type { Message } from '../broker/message';
import type { ControlConnection } from './control-connection';
import type { OwnedQueue } from './queue-leases';

/** A batch is cut at this many entries (the next one is sent right after it). */
const MAX_ENTRIES = 1_000;

class Batch {
  readonly fence = new Map<number, string>();
  readonly entries = {
    queue: [] as number[],
    seq: [] as number[],
    expires: [] as number[],
    exchange: [] as string[],
    routingKey: [] as string[],
    properties: [] as Buffer[],
    body: [] as Buffer[],
  };
  readonly removals = { queue: [] as number[], lo: [] as number[], hi: [] as number[] };
  /** The highest seq of each queue (by id) delivered to a consumer that must ack it. */
  readonly delivered = new Map<number, number>();
  /** Index in `removals` of each queue's last range, to extend it when acks come in seq order. */
  private readonly lastRange = new Map<number, number>();
  readonly waiting: ((error?: Error) => void)[] = [];

  get empty(): boolean {
    return this.fence.size === 0;
  }

  get full(): boolean {
    return this.entries.queue.length >= MAX_ENTRIES;
  }

  enqueue(lease: OwnedQueue, seq: number, message: Message, expiresAt: number, properties: Buffer): void {
    this.fence.set(lease.queueId, lease.epoch);
    const e = this.entries;
    e.queue.push(lease.queueId);
    e.seq.push(seq);
    e.expires.push(expiresAt);
    e.exchange.push(message.exchange);
    e.routingKey.push(message.routingKey);
    e.properties.push(properties);
    e.body.push(message.body);
  }

  remove(lease: OwnedQueue, seq: number): void {
    this.fence.set(lease.queueId, lease.epoch);
    const r = this.removals;
    const last = this.lastRange.get(lease.queueId);
    if (last !== undefined && r.hi[last] === seq - 1) {
      r.hi[last] = seq;
      return;
    }
    this.lastRange.set(lease.queueId, r.queue.length);
    r.queue.push(lease.queueId);
    r.lo.push(seq);
    r.hi.push(seq);
  }

  deliver(lease: OwnedQueue, seq: number): void {
    this.fence.set(lease.queueId, lease.epoch);
    if (seq > (this.delivered.get(lease.queueId) ?? 0)) this.delivered.set(lease.queueId, seq);
  }
}

export class MessageBatchWriter {
  private building = new Batch();
  /** Batches cut at MAX_ENTRIES, waiting for their turn. */
  private readonly cut: Batch[] = [];
  private inFlight: Batch | null = null;
  private scheduled = false;
  /** Grows with every append (Store.recorded). */
  appended = 0;

  constructor(
    private readonly connection: ControlConnection,
    private readonly nodeName: string,
    private readonly events: {
      /** A batch was refused: a queue it wrote has another owner now (WR001). */
      fenced(): void;
      /** A batch failed otherwise (the database is out of reach, or the connection broke): its publishes are nacked. */
      failed(cause: string): void;
    },
  ) {}

  enqueue(lease: OwnedQueue, seq: number, message: Message, expiresAt: number): void {
    const w = new Writer(256);
    writeBasicProperties(w, message.properties);
    this.append().enqueue(lease, seq, message, expiresAt, w.take());
  }

  remove(lease: OwnedQueue, seq: number): void {
    this.append().remove(lease, seq);
  }

  /**
   * The message at `seq` went to a consumer that must ack it: the queue's
   * delivered mark rises with this batch, so that a node loading the queue
   * later flags it redelivered (and every entry below it: a false "may have
   * been delivered" is allowed, a missing one is not).
   */
  deliver(lease: OwnedQueue, seq: number): void {
    this.append().deliver(lease, seq);
  }

  /** Calls `done` once everything appended so far has committed (with the error when its batch failed). */
  flush(done: (error?: Error) => void): void {
    const last = !this.building.empty ? this.building : (this.cut.at(-1) ?? this.inFlight);
    if (last) last.waiting.push(done);
    else done();
  }

  private append(): Batch {
    this.appended++;
    if (this.building.full) {
      this.cut.push(this.building);
      this.building = new Batch();
    }
    this.schedule();
    return this.building;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight !== null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commit();
    });
  }

  private async commit(): Promise<void> {
    if (this.inFlight !== null) return;
    let batch = this.cut.shift();
    if (batch === undefined) {
      if (this.building.empty) return;
      batch = this.building;
      this.building = new Batch();
    }
    this.inFlight = batch;
    let failure: Error | undefined;
    try {
      const e = batch.entries;
      const r = batch.removals;
      await this.connection.query('SELECT warren_cluster.commit_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)', [
        this.nodeName,
        [...batch.fence.keys()],
        [...batch.fence.values()],
        e.queue,
        e.seq,
        e.expires,
        e.exchange,
        e.routingKey,
        e.properties,
        e.body,
        r.queue,
        r.lo,
        r.hi,
        [...batch.delivered.keys()],
        [...batch.delivered.values()],
      ]);
    } catch (error) {
      const fenced = (error as { code?: string }).code === 'WR001';
      const cause = error instanceof Error ? error.message : String(error);
      failure = new Error(
        fenced
          ? 'a queue of this publish has another owner now (its lease was taken over); publish again'
          : `PostgreSQL did not commit the messages (${cause}); publish again`,
      );
      if (fenced) this.events.fenced();
      else this.events.failed(cause);
    }
    this.inFlight = null;
    for (const done of batch.waiting) done(failure);
    if (this.cut.length > 0 || !this.building.empty) void this.commit();
  }
}
