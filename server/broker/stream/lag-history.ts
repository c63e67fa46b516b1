// The recent lag of one consumer group for the console's charts: one sample
// a second for the last 15 minutes, in fixed typed-array rings (about 29 KB
// a group, allocated once). A full ring overwrites its oldest sample.

import type { GroupLag } from './consumer-groups';

export interface LagPoint extends GroupLag {
  /** Epoch ms of the sample. */
  at: number;
}

export const LAG_SAMPLE_MS = 1000;
const CAPACITY = 15 * 60;

export class LagHistory {
  private readonly at = new Float64Array(CAPACITY);
  private readonly messages = new Float64Array(CAPACITY);
  private readonly bytes = new Float64Array(CAPACITY);
  private readonly ms = new Float64Array(CAPACITY);
  /** Index of the oldest sample, and how many there are. */
  private start = 0;
  private count = 0;

  push(at: number, lag: GroupLag): void {
    const i = (this.start + this.count) % CAPACITY;
    this.at[i] = at;
    this.messages[i] = lag.messages;
    this.bytes[i] = lag.bytes;
    this.ms[i] = lag.ms;
    if (this.count < CAPACITY) this.count++;
    else this.start = (this.start + 1) % CAPACITY;
  }

  /** Oldest first; only samples at or after `since` (epoch ms) when given. */
  points(since = 0): LagPoint[] {
    const out: LagPoint[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = (this.start + k) % CAPACITY; // each ring holds CAPACITY samples
      const at = this.at[i]!;
      if (at < since) continue;
      out.push({ at, messages: this.messages[i]!, bytes: this.bytes[i]!, ms: this.ms[i]! });
    }
    return out;
  }
}
