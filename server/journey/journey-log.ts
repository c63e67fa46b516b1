// The trace log: journey events (server/broker/journey/) kept in the data
// directory so that they survive a restart, bounded by count and by age.
//
// Files: `<dataDir>/journeys/<n>.log`, n = 1, 2, … (zero-padded to 10
// digits), oldest first. A segment is append-only; one line per event:
//   <crc32 of the JSON, 8 hex digits> <the event as JSON>\n
// A line whose checksum or JSON does not hold (a torn tail after a crash, a
// damaged block) is skipped at start and counted; the next start writes to a
// new segment, so nothing is ever appended after damage.
//
// Writes: record() only pushes the event (on the engine's message path);
// a timer writes everything pushed meanwhile as one append, one write at a
// time. A segment takes `segmentEvents` events, then the next one is begun.
// Bounds: the events kept in memory (what searches read) are at most
// `maxEvents`, none older than `maxAgeMs`; whole segments are deleted once
// every event in them is outside those bounds.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { JourneyEvent, JourneyRecorder } from '../broker/broker';
import { crc32 } from '../store/journal/crc32';

export interface JourneyLogOptions {
  maxEvents: number;
  maxAgeMs: number;
  /** Events per segment file; default a tenth of maxEvents (at least 100). */
  segmentEvents?: number;
  /** How long pushed events wait to be written together; default 50 ms. */
  batchMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface Segment {
  number: number;
  events: number;
  /** Time of its newest event (epoch ms). */
  newestAt: number;
}

const SEGMENT_NAME = /^(\d{10})\.log$/;

export class JourneyLog implements JourneyRecorder {
  /** Kept events, oldest first, from `head` on (the ones before it were trimmed and await compaction). */
  private kept: JourneyEvent[] = [];
  private head = 0;
  private pending: JourneyEvent[] = [];
  private readonly segments: Segment[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private ageTimer: NodeJS.Timeout;
  private readonly segmentEvents: number;
  private readonly now: () => number;
  /** Lines skipped at start because they were damaged. */
  readonly damagedLines: number;

  private constructor(
    readonly dir: string,
    private readonly options: JourneyLogOptions,
    loaded: { events: JourneyEvent[]; segments: Segment[]; damaged: number },
  ) {
    this.now = options.now ?? Date.now;
    this.segmentEvents = options.segmentEvents ?? Math.max(100, Math.ceil(options.maxEvents / 10));
    this.kept = loaded.events;
    this.segments = loaded.segments;
    this.damagedLines = loaded.damaged;
    // Never append to a segment from before: its tail may be torn.
    this.segments.push({ number: (this.segments.at(-1)?.number ?? 0) + 1, events: 0, newestAt: 0 });
    this.trim();
    this.ageTimer = setInterval(() => this.trim(), Math.min(60_000, Math.max(1000, options.maxAgeMs / 10)));
    this.ageTimer.unref();
  }

  /** Reads what `dir` holds (creating it when missing), trimmed to the bounds. */
  static open(dir: string, options: JourneyLogOptions): JourneyLog {
    mkdirSync(dir, { recursive: true });
    const events: JourneyEvent[] = [];
    const segments: Segment[] = [];
    let damaged = 0;
    const numbers = readdirSync(dir)
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const number of numbers) {
      const segment: Segment = { number, events: 0, newestAt: 0 };
      for (const line of readFileSync(segmentPath(dir, number), 'utf8').split('\n')) {
        if (line === '') continue;
        const event = parseLine(line);
        if (event === null) {
          damaged++;
          continue;
        }
        events.push(event);
        segment.events++;
        segment.newestAt = Math.max(segment.newestAt, event.at);
      }
      segments.push(segment);
    }
    if (damaged > 0) options.log?.(`trace log: skipped ${damaged} damaged line(s) in ${dir}`);
    return new JourneyLog(dir, options, { events, segments, damaged });
  }

  record(event: JourneyEvent): void {
    this.kept.push(event);
    this.pending.push(event);
    if (this.kept.length - this.head > this.options.maxEvents) this.head++;
    // While the event loop is held (a long synchronous burst) the writes wait: what the count bound drops meanwhile is not written.
    if (this.pending.length >= 2 * this.options.maxEvents) this.pending = this.pending.slice(-this.options.maxEvents);
    if (this.kept.length >= 2 * this.options.maxEvents && this.head * 2 >= this.kept.length) this.compact();
    if (this.timer === null) {
      this.timer = setTimeout(() => this.writePending(), this.options.batchMs ?? 50);
      this.timer.unref();
    }
  }

  /** The events kept, oldest first (a copy-free view: do not change it). */
  events(): readonly JourneyEvent[] {
    if (this.head > 0) this.compact();
    return this.kept;
  }

  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void> {
    if (this.timer !== null) this.writePending();
    return this.writing;
  }

  /** Writes what is pending and stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.ageTimer);
    await this.flush();
  }

  private writePending(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.writing = this.writing
      .then(() => this.append(batch))
      .catch((error: unknown) => {
        this.options.log?.(`trace log: could not write ${batch.length} event(s) to ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  private async append(batch: JourneyEvent[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      let segment = this.segments.at(-1)!;
      if (segment.events >= this.segmentEvents) {
        segment = { number: segment.number + 1, events: 0, newestAt: 0 };
        this.segments.push(segment);
      }
      const part = batch.slice(start, start + (this.segmentEvents - segment.events));
      await appendFile(segmentPath(this.dir, segment.number), part.map(formatLine).join(''));
      segment.events += part.length;
      for (const event of part) segment.newestAt = Math.max(segment.newestAt, event.at);
      start += part.length;
    }
    await this.deleteOldSegments();
  }

  /** Drops kept events past the bounds (age and count). */
  private trim(): void {
    const oldest = this.now() - this.options.maxAgeMs;
    const kept = this.kept;
    const overCount = kept.length - this.options.maxEvents;
    if (overCount > this.head) this.head = overCount;
    while (this.head < kept.length && kept[this.head]!.at < oldest) this.head++;
    if (this.head > 0 && this.head * 2 >= kept.length) this.compact();
  }

  private compact(): void {
    this.kept = this.kept.slice(this.head);
    this.head = 0;
  }

  /** Whole segments, oldest first, whose events are all past the bounds. The one written to stays. */
  private async deleteOldSegments(): Promise<void> {
    this.trim();
    const oldest = this.now() - this.options.maxAgeMs;
    let onDisk = this.segments.reduce((n, s) => n + s.events, 0);
    while (this.segments.length > 1) {
      const first = this.segments[0]!;
      if (onDisk - first.events < this.options.maxEvents && first.newestAt >= oldest) break;
      this.segments.shift();
      onDisk -= first.events;
      const file = segmentPath(this.dir, first.number);
      if (existsSync(file)) await unlink(file);
    }
  }
}

function segmentPath(dir: string, number: number): string {
  return join(dir, `${String(number).padStart(10, '0')}.log`);
}

function formatLine(event: JourneyEvent): string {
  const json = JSON.stringify(event);
  return `${checksum(json)} ${json}\n`;
}

function checksum(json: string): string {
  const bytes = Buffer.from(json, 'utf8');
  return crc32(bytes, 0, bytes.length).toString(16).padStart(8, '0');
}

function parseLine(line: string): JourneyEvent | null {
  const json = line.slice(9);
  if (line[8] !== ' ' || checksum(json) !== line.slice(0, 8)) return null;
  try {
    const event = JSON.parse(json) as JourneyEvent;
    return typeof event.at === 'number' && typeof event.id === 'number' && typeof event.kind === 'string' ? event : null;
  } catch {
    return null;
  }
}
