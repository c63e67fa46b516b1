/**
 * The metric history in the metadata database: one row per series (MetricSeries)
 * and one per series and minute (MetricPoint), written once a minute.
 *
 * Bounded: a point is written only when it differs from the series' last
 * written one, and at least once a day (so that an idle queue's last value is
 * never older than a day, and a reader looks back at most that far); points
 * older than the retention are deleted. The broker's own series is written
 * every minute: a minute without it is a minute Warren was not running, and
 * readers carry a series' value forward only over minutes Warren ran.
 *
 * Off the message path and never holding it up: a minute's rows go in one
 * transaction of multi-row INSERTs of SLICE_ROWS rows each, and the event loop
 * runs between slices (better-sqlite3 runs each statement synchronously).
 * Deletions go in slices too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join, raw, sqltag as sql } from '@prisma/client/runtime/client';
import { BROKER_SERIES, MINUTE_MS, VALUE_KEYS, seriesKey, type HistoryPoint, type HistoryValues, type SeriesRef } from '../history/history-point';
import type { MinutePoint } from '../history/minute-rollup';
import type { MetadataClient } from './db';

/** Rows per INSERT statement: small enough that one statement is a short pause (measured in test/history). */
export const SLICE_ROWS = 100;
const DELETE_SLICE = 2000;
/** Series looked up per query: four parameters each, under SQLite's 999 a query. */
const SERIES_SLICE = 200;
const KEEPALIVE_MINUTES = 24 * 60;

interface Written {
  minute: number;
  values: HistoryValues;
}

export class MetricHistoryStore {
  private readonly ids = new Map<string, number>();
  private readonly written = new Map<string, Written>();

  constructor(private readonly prisma: MetadataClient) {}

  /**
   * Writes one minute's points (those that changed, and the broker's), in one
   * transaction; returns how many rows it wrote.
   */
  async writeMinute(points: MinutePoint[]): Promise<number> {
    const rows: { key: string; minute: number; values: HistoryValues }[] = [];
    for (const p of points) {
      const key = seriesKey(p.ref);
      const minute = Math.floor(p.at / MINUTE_MS);
      const last = this.written.get(key);
      const keep = p.ref.kind === 'broker' || !last || minute - last.minute >= KEEPALIVE_MINUTES || !sameValues(last.values, p.values);
      if (keep) rows.push({ key, minute, values: p.values });
    }
    if (rows.length === 0) return 0;
    await this.resolveIds(points.filter((p) => !this.ids.has(seriesKey(p.ref))).map((p) => p.ref));
    await this.prisma.$transaction(
      async (tx) => {
        for (let i = 0; i < rows.length; i += SLICE_ROWS) {
          if (i > 0) await nextTurn();
          const values = rows.slice(i, i + SLICE_ROWS).map((r) => sql`(${this.ids.get(r.key)}, ${r.minute}, ${join(VALUE_KEYS.map((k) => r.values[k]))})`);
          await tx.$executeRaw`INSERT INTO "MetricPoint" ("seriesId", "minute", ${join(VALUE_KEYS.map((k) => raw(`"${k}"`)))})
            VALUES ${join(values)} ON CONFLICT ("seriesId", "minute") DO NOTHING`;
        }
      },
      // A minute of 10,000 queues takes seconds between its slices; the default 5 s would cut it.
      { timeout: 120_000, maxWait: 60_000 },
    );
    for (const r of rows) this.written.set(r.key, { minute: r.minute, values: r.values });
    return rows.length;
  }

  /** Deletes the points before `beforeMs` in slices, then the series left without any; returns the points deleted. */
  async prune(beforeMs: number): Promise<number> {
    const before = Math.floor(beforeMs / MINUTE_MS);
    let total = 0;
    for (;;) {
      const n = await this.prisma.$executeRaw`DELETE FROM "MetricPoint" WHERE "minute" < ${before} AND ("seriesId", "minute") IN
        (SELECT "seriesId", "minute" FROM "MetricPoint" WHERE "minute" < ${before} LIMIT ${DELETE_SLICE})`;
      total += n;
      if (n < DELETE_SLICE) break;
      await nextTurn();
    }
    if (total > 0) {
      await this.prisma.$executeRaw`DELETE FROM "MetricSeries" WHERE NOT EXISTS (SELECT 1 FROM "MetricPoint" p WHERE p."seriesId" = "MetricSeries"."id")`;
      this.ids.clear();
    }
    return total;
  }

  /**
   * A series' minute points from `fromMs` to `toMs`: one per minute Warren ran,
   * the series' last value carried forward over minutes it did not change.
   */
  async read(ref: SeriesRef, fromMs: number, toMs: number): Promise<HistoryPoint[]> {
    const from = Math.floor(fromMs / MINUTE_MS);
    const to = Math.floor(toMs / MINUTE_MS);
    const [series, broker] = await Promise.all([this.seriesId(ref), this.seriesId(BROKER_SERIES)]);
    if (series === null || broker === null) return [];
    const rows = await this.prisma.metricPoint.findMany({
      where: { seriesId: series, minute: { gte: from - KEEPALIVE_MINUTES, lte: to } },
      orderBy: { minute: 'asc' },
    });
    if (ref.kind === 'broker') return rows.filter((r) => r.minute >= from).map(toPoint);
    const ran = await this.prisma.metricPoint.findMany({
      where: { seriesId: broker, minute: { gte: from, lte: to } },
      select: { minute: true },
      orderBy: { minute: 'asc' },
    });
    const out: HistoryPoint[] = [];
    let i = 0;
    let current: (typeof rows)[number] | undefined;
    for (const { minute } of ran) {
      while (i < rows.length && rows[i]!.minute <= minute) current = rows[i++];
      if (current) out.push(toPoint({ ...current, minute }));
    }
    return out;
  }

  private async seriesId(ref: SeriesRef): Promise<number | null> {
    const key = seriesKey(ref);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const row = await this.prisma.metricSeries.findUnique({
      where: { kind_vhost_name_groupName: { kind: ref.kind, vhost: ref.vhost, name: ref.name, groupName: ref.group } },
    });
    if (row) this.ids.set(key, row.id);
    return row?.id ?? null;
  }

  /** Creates the series not in the database yet and learns the ids of all of `refs`. */
  private async resolveIds(refs: SeriesRef[]): Promise<void> {
    for (let i = 0; i < refs.length; i += SERIES_SLICE) {
      if (i > 0) await nextTurn();
      const slice = refs.slice(i, i + SERIES_SLICE);
      const tuples = slice.map((r) => sql`(${r.kind}, ${r.vhost}, ${r.name}, ${r.group})`);
      await this.prisma.$executeRaw`INSERT INTO "MetricSeries" ("kind", "vhost", "name", "groupName") VALUES ${join(tuples)}
        ON CONFLICT ("kind", "vhost", "name", "groupName") DO NOTHING`;
      const found = await this.prisma.$queryRaw<{ id: number; kind: string; vhost: string; name: string; groupName: string }[]>`
        SELECT "id", "kind", "vhost", "name", "groupName" FROM "MetricSeries" WHERE ("kind", "vhost", "name", "groupName") IN (VALUES ${join(tuples)})`;
      for (const s of found) this.ids.set(seriesKey({ kind: s.kind as SeriesRef['kind'], vhost: s.vhost, name: s.name, group: s.groupName }), Number(s.id));
    }
  }
}

function sameValues(a: HistoryValues, b: HistoryValues): boolean {
  for (const k of VALUE_KEYS) if (a[k] !== b[k]) return false;
  return true;
}

function toPoint(row: { minute: number } & HistoryValues): HistoryPoint {
  const point = { at: row.minute * MINUTE_MS } as HistoryPoint;
  for (const k of VALUE_KEYS) (point as unknown as Record<string, number | null>)[k] = row[k];
  return point;
}
