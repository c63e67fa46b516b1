// Replay decodes the same few byte strings again and again: a queue's routing
// key, an exchange name, a publisher's property list. This direct-mapped cache
// keyed by the encoded bytes returns the value decoded the first time, which
// saves the decoding and the memory of a million equal copies. Decoded values
// are shared between messages; the engine treats a message's fields as
// immutable (broker/message.ts), so sharing is safe.
//
// Use: `lookup`, and on a miss decode and `store` (same range, no call in
// between): the pair avoids a closure per record.

const SLOTS = 1024;
/** Longer encodings are rarely repeated: they are decoded without caching. */
const MAX_KEY_BYTES = 512;

export class DecodeCache<T> {
  private readonly keys: (Buffer | undefined)[] = new Array(SLOTS);
  private readonly values: (T | undefined)[] = new Array(SLOTS);
  private slot = -1;

  /** The value decoded before from bytes equal to buf[start, end), or undefined. */
  lookup(buf: Buffer, start: number, end: number): T | undefined {
    if (end - start > MAX_KEY_BYTES) {
      this.slot = -1;
      return undefined;
    }
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193); // the caller's range is in buf
    this.slot = (hash >>> 0) % SLOTS;
    const key = this.keys[this.slot];
    if (key === undefined || key.length !== end - start) return undefined;
    for (let i = 0; i < key.length; i++) if (key[i] !== buf[start + i]) return undefined;
    return this.values[this.slot];
  }

  /** Remembers `value` for the range the last lookup missed. */
  store(buf: Buffer, start: number, end: number, value: T): void {
    if (this.slot < 0) return;
    this.keys[this.slot] = Buffer.from(buf.subarray(start, end));
    this.values[this.slot] = value;
  }
}
