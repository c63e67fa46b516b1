/**
 * When a queue's messages arrived, to the second, without a clock read per
 * message: each sample notes the queue's next sequence number and the time.
 * A message with sequence s arrived before the first noted time whose number
 * is above s. Entries for messages already gone are dropped, and a long log
 * is thinned in its middle, keeping the oldest entry (which dates the head)
 * and the newest.
 */
const MAX_ENTRIES = 64;

/** A log's notes: `times[i]` is when every message numbered below `seqs[i]` had arrived. */
export interface ArrivalEntries {
  seqs: number[];
  times: number[];
}

export class ArrivalLog {
  private seqs: number[] = [];
  private times: number[] = [];

  /** Notes that every message numbered below `nextSeq` had arrived by `at`. */
  note(nextSeq: number, at: number): void {
    const last = this.seqs.at(-1);
    if (last !== undefined && last >= nextSeq) return;
    this.seqs.push(nextSeq);
    this.times.push(at);
    if (this.seqs.length > MAX_ENTRIES) {
      // Drop every other entry between the oldest and the newest: older arrivals get coarser.
      const keep = (_: number, i: number, a: number[]) => i === 0 || i === a.length - 1 || i % 2 === 0;
      this.seqs = this.seqs.filter(keep);
      this.times = this.times.filter(keep);
    }
  }

  /** A log noted before a restart (sequence numbers survive one: the journal keeps them). */
  static from(entries: ArrivalEntries): ArrivalLog {
    const log = new ArrivalLog();
    for (let i = 0; i < entries.seqs.length; i++) log.note(entries.seqs[i]!, entries.times[i]!); // times runs beside seqs
    return log;
  }

  entries(): ArrivalEntries {
    return { seqs: [...this.seqs], times: [...this.times] };
  }

  get size(): number {
    return this.seqs.length;
  }

  /** Forgets entries that only date messages numbered below `headSeq` (consumed or gone). */
  forgetBefore(headSeq: number): void {
    let drop = 0;
    while (drop < this.seqs.length && this.seqs[drop]! <= headSeq) drop++;
    if (drop > 0) {
      this.seqs.splice(0, drop);
      this.times.splice(0, drop);
    }
  }

  /** The time by which message `seq` had arrived, or null when it arrived after the last note. */
  arrivedBy(seq: number): number | null {
    for (let i = 0; i < this.seqs.length; i++) if (this.seqs[i]! > seq) return this.times[i]!; // times runs beside seqs
    return null;
  }
}
