// Consumer groups of one stream (Warren's x-stream-group). A group has a
// committed offset, kept by the stream's store: the last record such that it
// and every record before it were settled (acked, or rejected without
// requeue). Acks can arrive out of order (multiple channels, a cancelled
// member's late acks), so the group keeps its delivered but unsettled offsets
// and commits only up to the first of them: a handover never skips a record
// that was not settled. A nack with requeue leaves its record unsettled, so it
// is read again at the next handover. The group's members: the first is active and reads, the others
// wait (as single active consumer). When the active member leaves, the next
// one starts after the committed offset, so unacknowledged records are read
// again. A group is created by its first consumer, which starts where its
// x-stream-offset says; from then on the group resumes after its committed
// offset whatever the consumers ask for.
//
// Lag is computed from the committed offset to the tail: records, bytes,
// and time (newest timestamp minus the committed record's timestamp). It
// costs one binary search and at most one small read, so it is sampled
// every second into each group's LagHistory for the console's charts.

import { BrokerError, resourceName } from '../errors';
import { LagHistory, type LagPoint } from './lag-history';
import type { StreamStore } from './stream-store';

export interface GroupLag {
  messages: number;
  bytes: number;
  ms: number;
}

export interface GroupMember {
  /** Next offset to deliver. */
  next: number;
  active: boolean;
}

export interface Group<M extends GroupMember> {
  name: string;
  /** Offset of the last record settled with all before it (first offset - 1 before any ack). */
  committed: number;
  members: M[];
  /** Delivered, not yet settled offsets, ascending (insertion order). */
  unsettled: Set<number>;
  /** Highest offset delivered to a member since the group was loaded or reset. */
  highestDelivered: number;
}

function newGroup<M extends GroupMember>(name: string, committed: number): Group<M> {
  return { name, committed, members: [], unsettled: new Set(), highestDelivered: committed };
}

export class ConsumerGroups<M extends GroupMember> {
  private readonly groups = new Map<string, Group<M>>();
  private readonly histories = new Map<string, LagHistory>();
  /** Timestamp of a group's committed record, cached by offset. */
  private readonly timestamps = new Map<string, { offset: number; timestamp: number }>();

  constructor(
    private readonly store: StreamStore,
    private readonly queue: string,
    private readonly vhost: string,
  ) {
    for (const [name, committed] of store.groupOffsets()) this.groups.set(name, newGroup(name, committed));
  }

  get(name: string): Group<M> | undefined {
    return this.groups.get(name);
  }

  all(): Group<M>[] {
    return [...this.groups.values()];
  }

  /** Adds a member; it becomes active (starting after the committed offset) when the group has none. */
  join(name: string, member: M, startWhenNew: () => number): Group<M> {
    let group = this.groups.get(name);
    if (!group) {
      group = newGroup<M>(name, startWhenNew() - 1);
      this.groups.set(name, group);
      this.store.commitGroupOffset(name, group.committed);
    }
    group.members.push(member);
    if (group.members.length === 1) this.activate(group, member);
    return group;
  }

  /** Removes a member; returns the member that became active in its place, if any. */
  leave(group: Group<M>, member: M): M | null {
    const index = group.members.indexOf(member);
    if (index < 0) return null;
    group.members.splice(index, 1);
    member.active = false;
    const next = group.members[0];
    if (index !== 0 || next === undefined) return null;
    this.activate(group, next);
    return next;
  }

  /** A record was delivered to a member of the group. */
  delivered(group: Group<M>, offset: number): void {
    // A record at or below the highest delivered one is a re-read after a
    // handover: it is unsettled already, or settled and needs nothing more.
    if (offset <= group.highestDelivered) return;
    group.unsettled.add(offset);
    group.highestDelivered = offset;
  }

  /** A delivered record was acked or rejected: the committed offset moves up to the first unsettled one. */
  settle(group: Group<M>, offset: number): void {
    if (!group.unsettled.delete(offset)) return;
    const first = group.unsettled.values().next();
    const committed = first.done ? group.highestDelivered : first.value - 1;
    if (committed <= group.committed) return;
    group.committed = committed;
    this.store.commitGroupOffset(group.name, committed);
  }

  /** Sets where the group resumes; refused while a consumer of the group is connected. */
  reset(name: string, resumeAt: number): void {
    const group = this.groups.get(name);
    if (group && group.members.length > 0) {
      throw new BrokerError(
        'PRECONDITION_FAILED',
        `consumer group '${name}' of stream ${resourceName('queue', this.queue, this.vhost)} has ${group.members.length} connected consumer(s); ` +
          'cancel them before resetting its offset',
      );
    }
    const committed = resumeAt - 1;
    this.groups.set(name, newGroup(name, committed));
    this.store.commitGroupOffset(name, committed);
  }

  lag(group: Group<M>): GroupLag {
    const store = this.store;
    const from = Math.max(group.committed + 1, store.firstOffset);
    const messages = Math.max(0, store.nextOffset - from);
    if (messages === 0) return { messages: 0, bytes: 0, ms: 0 };
    const newest = store.lastTimestamp ?? 0;
    return { messages, bytes: store.bytesFrom(from), ms: Math.max(0, newest - this.committedTimestamp(group, from)) };
  }

  /** Records every group's lag at `now` (called once a second). */
  sample(now: number): void {
    for (const group of this.groups.values()) {
      let history = this.histories.get(group.name);
      if (!history) this.histories.set(group.name, (history = new LagHistory()));
      history.push(now, this.lag(group));
    }
  }

  /** A group's lag samples, oldest first (since `since` epoch ms). */
  history(name: string, since?: number): LagPoint[] {
    return this.histories.get(name)?.points(since) ?? [];
  }

  /** `member` is the group's first. */
  private activate(group: Group<M>, member: M): void {
    member.active = true;
    member.next = Math.max(group.committed + 1, this.store.firstOffset);
  }

  /** Timestamp of the committed record, or of the first retained one when that is gone. */
  private committedTimestamp(group: Group<M>, from: number): number {
    const offset = group.committed >= this.store.firstOffset ? group.committed : from;
    const cached = this.timestamps.get(group.name);
    if (cached && cached.offset === offset) return cached.timestamp;
    const record = this.store.read(offset, 1)[0];
    const timestamp = record?.timestamp ?? this.store.lastTimestamp ?? 0;
    this.timestamps.set(group.name, { offset, timestamp });
    return timestamp;
  }
}
