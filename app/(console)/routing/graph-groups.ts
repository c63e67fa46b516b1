/**
 * Keeps a routing graph of hundreds of queues readable: queues that share a
 * name prefix (up to the first '.' or '-': `billing.invoice`, `billing-retry`
 * → `billing`) are drawn as one group node until the reader expands it.
 * Bindings, dead-letter and retry paths to a collapsed group's queues become
 * one edge per source, labelled with how many they stand for. Pure, like
 * graph-model.ts which calls it.
 */
import type { Edge, Node } from '@xyflow/react';
import type { EdgeData, NodeData } from './graph-model';

/** Above this many queues on screen, queues are grouped by prefix. */
export const GROUP_ABOVE_QUEUES = 40;

export const groupId = (prefix: string) => `g:${prefix}`;

/** A queue's group: its name up to the first '.' or '-', or null when it has no such separator. */
export function queuePrefix(name: string): string | null {
  const m = /^([^.-]+)[.-]/.exec(name);
  return m ? m[1]! : null; // the group always takes part in a match
}

/** Groups of at least two queues, by prefix, from the queue nodes. */
function groupsOf(nodes: Node<NodeData>[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.data.kind !== 'queue') continue;
    const prefix = queuePrefix(n.data.label);
    if (prefix === null) continue;
    const members = groups.get(prefix) ?? [];
    members.push(n.data.label);
    groups.set(prefix, members);
  }
  for (const [prefix, members] of groups) if (members.length < 2) groups.delete(prefix);
  return groups;
}

export function collapseGroups(
  nodes: Node<NodeData>[],
  edges: Edge<EdgeData>[],
  expanded: ReadonlySet<string>,
): { nodes: Node<NodeData>[]; edges: Edge<EdgeData>[]; groups: string[] } {
  const queueCount = nodes.filter((n) => n.data.kind === 'queue').length;
  if (queueCount <= GROUP_ABOVE_QUEUES) return { nodes, edges, groups: [] };
  const groups = groupsOf(nodes);
  // Node id → the group node standing for it (collapsed queues), or null (a collapsed queue's retry tiers: not drawn).
  const replaced = new Map<string, string | null>();
  const out: Node<NodeData>[] = [];
  const reached = new Set<string>();
  for (const n of nodes) {
    const prefix = n.data.kind === 'queue' ? queuePrefix(n.data.label) : null;
    if (prefix === null || !groups.has(prefix) || expanded.has(prefix)) continue;
    replaced.set(n.id, groupId(prefix));
    if (n.data.reached) reached.add(prefix);
  }
  for (const [prefix, members] of groups) {
    if (expanded.has(prefix)) continue;
    out.push({
      id: groupId(prefix),
      type: 'queueGroup',
      position: { x: 0, y: 0 },
      data: {
        label: `${prefix}…`,
        kind: 'group',
        group: prefix,
        members: members.length,
        detail: `${members.length} queues`,
        reached: reached.has(prefix),
      },
    });
  }
  const retryOf = new Map(edges.filter((e) => e.id.startsWith('rt:')).map((e) => [e.target, e.source]));
  for (const n of nodes) {
    if (replaced.has(n.id)) continue;
    const owner = n.data.kind === 'retry' ? retryOf.get(n.id) : undefined;
    if (owner !== undefined && replaced.has(owner)) {
      replaced.set(n.id, null);
      continue;
    }
    out.push(n);
  }

  const merged = new Map<string, { edge: Edge<EdgeData>; count: number }>();
  const kept: Edge<EdgeData>[] = [];
  for (const e of edges) {
    const source = replaced.has(e.source) ? replaced.get(e.source) : e.source;
    const target = replaced.has(e.target) ? replaced.get(e.target) : e.target;
    if (!source || !target || source === target) continue;
    if (source === e.source && target === e.target) {
      kept.push(e);
      continue;
    }
    const kind = e.id.slice(0, e.id.indexOf(':'));
    const key = `${kind}:${source}->${target}`;
    const m = merged.get(key);
    if (m) {
      m.count++;
      if (e.animated) m.edge = { ...m.edge, animated: true, className: e.className };
    } else merged.set(key, { edge: { ...e, id: `grouped:${key}`, source, target, data: { binding: null } }, count: 1 });
  }
  for (const { edge, count } of merged.values()) {
    const what = edge.id.startsWith('grouped:b:') ? 'binding' : 'path';
    kept.push({ ...edge, label: count === 1 ? edge.label : `${count} ${what}s`, ariaLabel: `${count} ${what}(s) to ${edge.target.slice(2)}…` });
  }
  return { nodes: out, edges: kept, groups: [...groups.keys()].sort() };
}
