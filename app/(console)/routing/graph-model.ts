/**
 * Turns one vhost's topology into the nodes and edges of the routing graph,
 * laid out left to right by dagre. Pure: no React, so it is cheap to recompute
 * when the topology, the filter or the tester's trace changes.
 */
import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import { collapseGroups } from './graph-groups';

export type Args = Record<string, string | number | boolean>;

export interface Binding {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Args;
}

export interface Topology {
  exchanges: { name: string; type: string; internal: boolean; alternateExchange: string | null }[];
  queues: { name: string; type: string; ready: number; deadLetterExchange: string | null; deadLetterRoutingKey: string | null; retryTiers: string[] }[];
  bindings: Binding[];
}

/** What the routing tester found: bindings that matched (by key) and queues reached. */
export interface Highlight {
  matched: Set<string>;
  queues: Set<string>;
}

/** `group`: queues sharing a name prefix, drawn as one (graph-groups.ts); `default`: the default exchange, its implicit bindings not drawn. */
export type NodeData = {
  label: string;
  kind: 'exchange' | 'queue' | 'retry' | 'group' | 'default';
  detail: string;
  reached: boolean;
  group?: string;
  members?: number;
};
export type EdgeData = { binding: Binding | null };

const NODE_WIDTH = 200;
const NODE_HEIGHT = 52;

export const exchangeId = (name: string) => `x:${name}`;
export const queueId = (name: string) => `q:${name}`;
const retryId = (queue: string) => `r:${queue}`;

/** Identifies a binding the same way everywhere (graph edge, tester step, list row). */
export function bindingKey(b: Binding): string {
  return JSON.stringify([b.source, b.destinationType, b.destination, b.routingKey, sortedArgs(b.arguments)]);
}

function sortedArgs(args: Args): [string, unknown][] {
  return Object.entries(args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function bindingLabel(b: Binding): string {
  const args = sortedArgs(b.arguments);
  if (args.length === 0) return b.routingKey === '' ? '(empty key)' : b.routingKey;
  const shown = args.map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return b.routingKey === '' ? shown : `${b.routingKey} [${shown}]`;
}

const DASHED = { strokeDasharray: '6 4' };

/** Every node and edge of the topology, before filtering and layout. */
function allElements(t: Topology, highlight: Highlight | null): { nodes: Node<NodeData>[]; edges: Edge<EdgeData>[] } {
  const exchangeNames = new Set(t.exchanges.map((e) => e.name));
  const queueNames = new Set(t.queues.map((q) => q.name));
  const nodes: Node<NodeData>[] = [];
  const edges: Edge<EdgeData>[] = [];
  for (const e of t.exchanges) {
    if (e.name === '') {
      // The default exchange binds every queue by its name: one node saying so, not one edge per queue.
      if (t.queues.length > 0)
        nodes.push({
          id: exchangeId(''),
          type: 'defaultExchange',
          position: { x: 0, y: 0 },
          data: { label: '(AMQP default)', kind: 'default', detail: `implicit binding to each of ${t.queues.length.toLocaleString()} queues`, reached: false },
        });
      continue;
    }
    nodes.push({
      id: exchangeId(e.name),
      type: 'exchange',
      position: { x: 0, y: 0 },
      data: { label: e.name, kind: 'exchange', detail: e.internal ? `${e.type}, internal` : e.type, reached: false },
    });
    if (e.alternateExchange && exchangeNames.has(e.alternateExchange)) {
      edges.push({
        id: `ae:${e.name}`,
        source: exchangeId(e.name),
        target: exchangeId(e.alternateExchange),
        label: 'alternate',
        style: DASHED,
        className: 'edge-special',
        data: { binding: null },
      });
    }
  }
  for (const q of t.queues) {
    const reached = highlight?.queues.has(q.name) ?? false;
    nodes.push({
      id: queueId(q.name),
      type: 'queue',
      position: { x: 0, y: 0 },
      data: { label: q.name, kind: 'queue', detail: `${q.type}, ${q.ready.toLocaleString()} ready`, reached },
    });
    if (q.deadLetterExchange !== null) {
      const target =
        q.deadLetterExchange === ''
          ? q.deadLetterRoutingKey && queueNames.has(q.deadLetterRoutingKey)
            ? queueId(q.deadLetterRoutingKey)
            : null
          : exchangeNames.has(q.deadLetterExchange)
            ? exchangeId(q.deadLetterExchange)
            : null;
      if (target)
        edges.push({
          id: `dl:${q.name}`,
          source: queueId(q.name),
          target,
          label: 'dead letter',
          style: DASHED,
          className: 'edge-special',
          data: { binding: null },
        });
    }
    if (q.retryTiers.length > 0) {
      nodes.push({
        id: retryId(q.name),
        type: 'retry',
        position: { x: 0, y: 0 },
        data: { label: `${q.retryTiers.length} retry tier(s)`, kind: 'retry', detail: q.retryTiers.join(' → '), reached: false },
      });
      // One edge both ways: a failed message waits in the tiers and comes back to the queue when due.
      edges.push({
        id: `rt:${q.name}`,
        source: queueId(q.name),
        target: retryId(q.name),
        label: 'failed ⇄ back when due',
        style: DASHED,
        className: 'edge-special',
        data: { binding: null },
      });
      const dlq = `${q.name}.dlq`;
      if (q.deadLetterExchange === null && queueNames.has(dlq)) {
        edges.push({
          id: `dl:${q.name}`,
          source: retryId(q.name),
          target: queueId(dlq),
          label: 'after last tier',
          style: DASHED,
          className: 'edge-special',
          data: { binding: null },
        });
      }
    }
  }
  for (const b of t.bindings) {
    const key = bindingKey(b);
    const matched = highlight?.matched.has(key) ?? false;
    edges.push({
      id: `b:${key}`,
      source: exchangeId(b.source),
      target: b.destinationType === 'queue' ? queueId(b.destination) : exchangeId(b.destination),
      label: bindingLabel(b),
      ariaLabel: `Binding from ${b.source} to ${b.destinationType} ${b.destination} with key ${b.routingKey}`,
      className: matched ? 'edge-binding edge-matched' : 'edge-binding',
      animated: matched,
      data: { binding: b },
    });
  }
  return { nodes, edges };
}

/** Nodes whose name contains `search`, and every node one edge away from them. */
function neighbourhood(nodes: Node<NodeData>[], edges: Edge<EdgeData>[], search: string): Set<string> {
  const needle = search.toLowerCase();
  const hits = new Set(nodes.filter((n) => n.data.label.toLowerCase().includes(needle)).map((n) => n.id));
  const keep = new Set(hits);
  for (const e of edges) {
    if (hits.has(e.source)) keep.add(e.target);
    if (hits.has(e.target)) keep.add(e.source);
  }
  return keep;
}

/** The predeclared amq.* exchanges clutter the picture until something is bound to them; a search still finds them. */
function withoutIdleBuiltins(nodes: Node<NodeData>[], edges: Edge<EdgeData>[]): Node<NodeData>[] {
  const linked = new Set(edges.flatMap((e) => [e.source, e.target]));
  return nodes.filter((n) => !(n.data.kind === 'exchange' && n.data.label.startsWith('amq.') && !linked.has(n.id)));
}

/** Beyond this many nodes the layout and the drawing get slow and unreadable: the page asks for a name to centre on. */
export const MAX_DRAWN_NODES = 300;

/**
 * The drawing: the neighbourhood of `search` when one is typed, otherwise
 * everything with queues grouped by name prefix past GROUP_ABOVE_QUEUES
 * (`expanded` names the groups drawn queue by queue).
 */
export function buildGraph(
  t: Topology,
  search: string,
  highlight: Highlight | null,
  expanded: ReadonlySet<string> = new Set(),
): { nodes: Node<NodeData>[]; edges: Edge<EdgeData>[]; hidden: number; tooMany: boolean; groups: string[] } {
  const all = allElements(t, highlight);
  const keep = search.trim() === '' ? null : neighbourhood(all.nodes, all.edges, search.trim());
  const matching = keep ? all.nodes.filter((n) => keep.has(n.id)) : withoutIdleBuiltins(all.nodes, all.edges);
  const ids = new Set(matching.map((n) => n.id));
  const grouped = collapseGroups(
    matching,
    all.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
    expanded,
  );
  const tooMany = grouped.nodes.length > MAX_DRAWN_NODES;
  const nodes = tooMany ? [] : grouped.nodes;
  const edges = tooMany ? [] : grouped.edges;

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 180 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) g.setEdge(e.source, e.target, {}, e.id);
  dagre.layout(g);
  const placed = nodes.map((n) => {
    const p = g.node(n.id);
    return { ...n, position: { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } };
  });
  const shown = placed.reduce((n, p) => n + (p.data.members ?? 1), 0);
  return { nodes: placed, edges, hidden: Math.max(0, all.nodes.length - shown), tooMany, groups: grouped.groups };
}
