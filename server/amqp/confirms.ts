/**
 * Publisher confirms of one channel (confirm.select mode).
 *
 * Every publish takes the next sequence number (1, 2, ...). Its outcome, ack
 * or nack, is known at once or later (a persistent message waits for the
 * journal). Outcomes gather until the connection flushes, then go out as few
 * frames as possible:
 *
 *   - a run of acks that continues the confirmed prefix (every number up to
 *     `confirmedUpTo` has been answered) becomes one ack with multiple=true;
 *   - any other outcome goes out alone (multiple=false) and is remembered in
 *     `answeredAhead` so that the prefix can later skip over it.
 *
 * multiple=true on N answers every number <= N, so it is only used when all
 * of them are answered and none of them is a nack.
 */
export type ConfirmSender = (deliveryTag: number, multiple: boolean, ack: boolean) => void;

export class ConfirmTracker {
  private nextSeq = 1;
  private confirmedUpTo = 0;
  private readonly answeredAhead = new Set<number>();
  private readyAcks: number[] = [];
  private readyNacks: number[] = [];

  /** Sequence number of the next publish. */
  take(): number {
    return this.nextSeq++;
  }

  resolve(seq: number, ack: boolean): void {
    (ack ? this.readyAcks : this.readyNacks).push(seq);
  }

  get hasReady(): boolean {
    return this.readyAcks.length > 0 || this.readyNacks.length > 0;
  }

  /** Sends every ready outcome through `send`, in ascending order. */
  flush(send: ConfirmSender): void {
    const acks = this.readyAcks.sort((a, b) => a - b);
    const nacks = this.readyNacks.sort((a, b) => a - b);
    this.readyAcks = [];
    this.readyNacks = [];
    let ai = 0;
    let ni = 0;
    let runEnd = 0; // last ack of a run continuing the prefix, not yet sent
    // Reads stay below the lengths the loop and isAck check.
    while (ai < acks.length || ni < nacks.length) {
      const isAck = ni >= nacks.length || (ai < acks.length && acks[ai]! < nacks[ni]!);
      const seq = isAck ? acks[ai++]! : nacks[ni++]!;
      if (isAck && seq === this.confirmedUpTo + 1) {
        runEnd = seq;
        this.advance(seq);
        continue;
      }
      if (runEnd) {
        send(runEnd, true, true);
        runEnd = 0;
      }
      send(seq, false, isAck);
      if (seq === this.confirmedUpTo + 1) this.advance(seq);
      else this.answeredAhead.add(seq);
    }
    if (runEnd) send(runEnd, true, true);
  }

  /** Moves the confirmed prefix to `seq` and past anything already answered after it. */
  private advance(seq: number): void {
    this.confirmedUpTo = seq;
    while (this.answeredAhead.delete(this.confirmedUpTo + 1)) this.confirmedUpTo++;
  }
}
