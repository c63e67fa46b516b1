// One consumer's position in a stream, and its read-ahead.
//
// `next` is the offset to deliver next. Records are read from the store
// READ_AHEAD at a time and kept in `ahead` until delivered: acks give credit
// back one delivery at a time (a multiple ack is settled delivery by
// delivery), and each credit should not cost a store read. The read-ahead is
// used only while it continues at `next`; a group handover or a reset that
// moves `next` makes the following take() read from the store again. Records
// in it were retained when read and are delivered even if retention drops
// their segment meanwhile; a reader without credit keeps them (and the read
// chunk they are views of) until it gets credit again.

import type { Consumer } from '../consumer';
import type { Group } from './consumer-groups';
import type { StreamRecord, StreamStore } from './stream-store';

/** Records read from the store at a time for one reader. */
const READ_AHEAD = 256;

export class StreamReader {
  /** Next offset to deliver. */
  next = 0;
  private ahead: StreamRecord[] = [];
  private aheadAt = 0;

  constructor(
    readonly consumer: Consumer,
    /** False for a waiting member of a group. */
    public active: boolean,
    public group: Group<StreamReader> | null,
  ) {}

  /** The record at `next` (or the first retained after it), moving past it; undefined when none is readable yet. */
  take(store: StreamStore): StreamRecord | undefined {
    let record: StreamRecord | undefined = this.ahead[this.aheadAt];
    if (record === undefined || record.offset !== this.next) {
      this.ahead = store.read(this.next, READ_AHEAD);
      this.aheadAt = 0;
      record = this.ahead[0];
      if (record === undefined) return undefined;
    }
    this.aheadAt++;
    this.next = record.offset + 1;
    return record;
  }
}
