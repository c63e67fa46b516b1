/**
 * Keeps the broker sampler's arrival logs in `<dataDir>/arrivals.json`, so
 * that after a restart a recovered message's age still counts from when it
 * arrived, not from the start (queue sequence numbers survive a restart:
 * the journal keeps them). Written every few seconds and at shutdown, to a
 * temporary file renamed over the old one; after a crash the ages are at
 * most that much younger. A missing or unreadable file means no history.
 *
 * Format: { "version": 1, "queues": [{ "vhost", "name", "seqs": [n...], "times": [epoch ms...] }] }
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ArrivalRecord, BrokerSampler } from './broker-sampler';

const FILE_NAME = 'arrivals.json';
const SAVE_EVERY_MS = 5_000;

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));

function isRecord(v: unknown): v is ArrivalRecord {
  const r = v as Partial<ArrivalRecord> | null;
  return typeof r?.vhost === 'string' && typeof r.name === 'string' && isNumbers(r.seqs) && isNumbers(r.times) && r.seqs.length === r.times.length;
}

export function loadArrivals(dataDir: string): ArrivalRecord[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dataDir, FILE_NAME), 'utf8')) as { version?: unknown; queues?: unknown };
    return parsed.version === 1 && Array.isArray(parsed.queues) ? parsed.queues.filter(isRecord) : [];
  } catch {
    return [];
  }
}

export function saveArrivals(dataDir: string, records: ArrivalRecord[]): void {
  const file = path.join(dataDir, FILE_NAME);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ version: 1, queues: records }));
  fs.renameSync(`${file}.tmp`, file);
}

/** Restores the sampler's arrival logs from the data directory and saves them from now on; `stop` saves a last time. */
export function keepArrivals(sampler: BrokerSampler, dataDir: string, onError: (error: Error) => void): { stop(): void } {
  sampler.restoreArrivals(loadArrivals(dataDir));
  const save = () => {
    try {
      saveArrivals(dataDir, sampler.arrivalRecords());
    } catch (error) {
      onError(error as Error);
    }
  };
  const timer = setInterval(save, SAVE_EVERY_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      save();
    },
  };
}
