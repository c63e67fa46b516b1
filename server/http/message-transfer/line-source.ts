/**
 * An import's messages read from a request body of JSON lines as it
 * arrives: the body is pulled a chunk at a time only when the import asks
 * for more, so an upload of any size holds at most one chunk and one line in
 * memory. Lines are numbered from `firstLine` (a file sent in parts goes on
 * counting). A bad line stops the reading there (nothing past it is
 * imported) unless bad lines are skipped; then each is recorded.
 */
import { BadLine, parseMessageLine } from './message-lines';
import type { ImportSource, TransferMessage } from '../../broker/broker';

/** The longest line read: a message body of up to 128 MiB, as base64, with room for its properties. */
export const MAX_LINE_BYTES = 180 * 1024 * 1024;
/** Skipped lines reported one by one; past this only their count. */
const SKIPPED_LISTED = 100;

export interface LineProblem {
  line: number;
  error: string;
}

export class LineSource implements ImportSource {
  /** Lines read, blank ones included. */
  lines = 0;
  /** The bad line that stopped the import, when bad lines are not skipped. */
  stoppedAt: LineProblem | null = null;
  /** Bad lines skipped: the first SKIPPED_LISTED of them, and how many in all. */
  readonly skipped: LineProblem[] = [];
  skippedCount = 0;

  private readonly chunks: AsyncIterator<Buffer>;
  private rest: Buffer[] = [];
  private restBytes = 0;
  private ended = false;

  constructor(
    body: AsyncIterable<Buffer>,
    private readonly opts: { firstLine: number; skipBadLines: boolean; defaults: { exchange: string; routingKey: string } },
  ) {
    this.chunks = body[Symbol.asyncIterator]();
  }

  /** Up to `max` messages: those the body holds so far, waiting for more only when it holds none. */
  async next(max: number): Promise<TransferMessage[]> {
    const out: TransferMessage[] = [];
    while (out.length < max && this.stoppedAt === null) {
      const line = await this.nextLine(out.length === 0);
      if (line === null || line === 'later') break;
      const number = this.opts.firstLine + this.lines - 1;
      const text = line.toString('utf8').trim();
      if (text === '') continue;
      try {
        out.push(parseMessageLine(text, this.opts.defaults));
      } catch (error) {
        if (!(error instanceof BadLine)) throw error;
        const problem = { line: number, error: error.message };
        if (!this.opts.skipBadLines) this.stoppedAt = problem;
        else if (this.skippedCount++ < SKIPPED_LISTED) this.skipped.push(problem);
      }
    }
    return out;
  }

  /** The next line without its newline; null at the end of the body; 'later' when it has not all arrived and `wait` is false. */
  private async nextLine(wait: boolean): Promise<Buffer | null | 'later'> {
    for (;;) {
      const last = this.rest[this.rest.length - 1];
      const newline = last === undefined ? -1 : last.indexOf(0x0a);
      if (newline >= 0 && last !== undefined) {
        const line = Buffer.concat([...this.rest.slice(0, -1), last.subarray(0, newline)]);
        const after = last.subarray(newline + 1);
        this.rest = after.length > 0 ? [after] : [];
        this.restBytes = after.length;
        this.lines++;
        return line;
      }
      if (this.ended) {
        if (this.restBytes === 0) return null;
        const line = Buffer.concat(this.rest);
        this.rest = [];
        this.restBytes = 0;
        this.lines++;
        return line;
      }
      if (this.restBytes > MAX_LINE_BYTES) {
        this.lines++;
        this.stoppedAt = {
          line: this.opts.firstLine + this.lines - 1,
          error: `longer than ${MAX_LINE_BYTES} bytes without a newline: each message goes on a line of its own`,
        };
        return null;
      }
      if (!wait) return 'later';
      const chunk = await this.chunks.next();
      if (chunk.done) this.ended = true;
      else {
        this.rest.push(chunk.value);
        this.restBytes += chunk.value.length;
      }
    }
  }
}
