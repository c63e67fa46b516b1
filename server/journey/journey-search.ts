// Finding journeys in the trace log: what a person types (a message id, a
// correlation id, a header as name=value, or Warren's broker id) picks the
// messages, and each one's journey is every event linked to it through the
// `from` links (retries, dead letters, edits), in the order they happened.

import type { JourneyEvent, JourneyMessageKeys } from '../broker/broker';

export interface JourneyStep extends JourneyEvent {
  /** Its place in the log: the order of the steps. */
  seq: number;
}

export interface Journey {
  /** Broker id of the first message of the journey. */
  rootId: number;
  /** The keys of the first message, when its first step was seen. */
  keys: JourneyMessageKeys | null;
  /** Which of the typed text's readings matched (message id, correlation id, header, broker id). */
  matchedBy: string[];
  steps: JourneyStep[];
}

/** Journeys returned at most; the newest first. */
export const MAX_JOURNEYS = 20;

export function findJourneys(events: readonly JourneyEvent[], vhost: string, text: string): Journey[] {
  const wanted = text.trim();
  if (wanted === '') return [];
  const brokerId = /^(warren:)?\d+$/.test(wanted) ? Number(wanted.replace('warren:', '')) : null;
  const eq = wanted.indexOf('=');
  const header = eq > 0 ? { name: wanted.slice(0, eq).trim(), value: wanted.slice(eq + 1).trim() } : null;

  const parentOf = new Map<number, number>();
  const childrenOf = new Map<number, number[]>();
  const matched = new Map<number, Set<string>>();
  const note = (id: number, why: string) => {
    const reasons = matched.get(id) ?? new Set<string>();
    reasons.add(why);
    matched.set(id, reasons);
  };
  for (const event of events) {
    if (event.vhost !== vhost) continue;
    if (event.from !== undefined && !parentOf.has(event.id)) {
      parentOf.set(event.id, event.from);
      const children = childrenOf.get(event.from) ?? [];
      children.push(event.id);
      childrenOf.set(event.from, children);
    }
    if (event.id === brokerId) note(event.id, 'broker id');
    const keys = event.message;
    if (keys === undefined) continue;
    if (keys.messageId === wanted) note(event.id, 'message id');
    if (keys.correlationId === wanted) note(event.id, 'correlation id');
    if (header !== null && keys.headers[header.name] === header.value) note(event.id, `header ${header.name}`);
  }

  const rootOf = (id: number) => {
    let root = id;
    const seen = new Set<number>([id]);
    for (let up = parentOf.get(root); up !== undefined && !seen.has(up); up = parentOf.get(root)) {
      seen.add(up);
      root = up;
    }
    return root;
  };
  const journeys = new Map<number, { matchedBy: Set<string>; steps: JourneyStep[] }>();
  const rootOfMember = new Map<number, number>();
  for (const [id, reasons] of matched) {
    const root = rootOf(id);
    let journey = journeys.get(root);
    if (journey === undefined) {
      journey = { matchedBy: new Set(), steps: [] };
      journeys.set(root, journey);
      for (const member of descendants(root, childrenOf)) rootOfMember.set(member, root);
    }
    for (const why of reasons) journey.matchedBy.add(why);
  }
  events.forEach((event, seq) => {
    const root = event.vhost === vhost ? rootOfMember.get(event.id) : undefined;
    if (root !== undefined) journeys.get(root)!.steps.push({ ...event, seq });
  });

  const out: Journey[] = [];
  for (const [rootId, { matchedBy, steps }] of journeys) {
    const keys = steps.find((s) => s.id === rootId && s.message !== undefined)?.message ?? steps.find((s) => s.message !== undefined)?.message ?? null;
    out.push({ rootId, keys, matchedBy: [...matchedBy], steps });
  }
  out.sort((a, b) => (b.steps.at(-1)?.seq ?? 0) - (a.steps.at(-1)?.seq ?? 0));
  return out.slice(0, MAX_JOURNEYS);
}

function descendants(root: number, childrenOf: Map<number, number[]>): Set<number> {
  const members = new Set<number>([root]);
  const work = [root];
  while (work.length > 0) {
    for (const child of childrenOf.get(work.pop()!) ?? []) {
      if (members.has(child)) continue;
      members.add(child);
      work.push(child);
    }
  }
  return members;
}
