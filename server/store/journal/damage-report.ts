// What a journal replay lost to damaged bytes, for the operator: logged at
// start, shown on the console overview and counted on /metrics for as long
// as the process runs. Torn tails (the end of a write cut short by a crash)
// are a normal part of recovery and are not damage; they are only logged.

import type { Recovery, SkippedBytes } from './replay';

export interface JournalDamage {
  /** Damaged bytes skipped, over all segments. */
  bytes: number;
  /** Separate damaged regions. */
  regions: number;
  /** Damaged records, where known (a record whose length was intact counts 1; a region of unknown content counts 0). */
  records: number;
  /** Messages that did not come back: queue entries whose message was damaged, and messages whose entry was. */
  lostMessages: number;
  /** One sentence per damaged segment, then what was lost (at most a few names each). */
  summary: string[];
}

const NAMED = 5;

export function journalDamage(recovery: Recovery): JournalDamage | null {
  const damaged = recovery.skipped.filter((s) => s.reason !== 'torn');
  const lostMessages = recovery.lostEntries.length + recovery.lostMessageIds.length;
  if (damaged.length === 0 && lostMessages === 0) return null;
  const bySegment = new Map<string, [SkippedBytes, ...SkippedBytes[]]>();
  for (const region of damaged) {
    const regions = bySegment.get(region.segment);
    if (regions) regions.push(region);
    else bySegment.set(region.segment, [region]);
  }
  const summary = [...bySegment].map(([segment, regions]) => segmentSentence(segment, regions));
  const { lostEntries, lostMessageIds } = recovery;
  if (lostEntries.length > 0) {
    const named = lostEntries.slice(0, NAMED).map((e) => `seq ${e.seq} of queue '${e.queue}' in vhost '${e.vhost}' (message ${e.messageId})`);
    summary.push(`lost ${plural(lostEntries.length, 'message')} whose record was damaged: ${named.join(', ')}${more(lostEntries.length)}`);
  }
  if (lostMessageIds.length > 0) {
    const named = lostMessageIds.slice(0, NAMED).join(', ');
    summary.push(`lost ${plural(lostMessageIds.length, 'message')} whose queue entry was damaged: message ${named}${more(lostMessageIds.length)}`);
  }
  return {
    bytes: damaged.reduce((sum, s) => sum + s.bytes, 0),
    regions: damaged.length,
    records: damaged.reduce((sum, s) => sum + (s.records ?? 0), 0),
    lostMessages,
    summary,
  };
}

function segmentSentence(segment: string, regions: readonly [SkippedBytes, ...SkippedBytes[]]): string {
  const [first] = regions;
  const bytes = regions.reduce((sum, s) => sum + s.bytes, 0);
  const records = regions.every((s) => s.records !== undefined)
    ? `, ${plural(
        regions.reduce((sum, s) => sum + s.records!, 0),
        'record',
      )}`
    : '';
  const where = regions.length === 1 ? `at offset ${first.offset}` : `in ${regions.length} places, the first at offset ${first.offset}`;
  return `journal recovery skipped ${plural(bytes, 'damaged byte')} in segment ${segment} ${where} (${first.reason}: ${first.detail}${records})`;
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function more(total: number): string {
  return total > NAMED ? ` and ${(total - NAMED).toLocaleString('en-US')} more` : '';
}
