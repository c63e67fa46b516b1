'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { useMemo, useState } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { BindingDialog, type BindingDraft } from './binding-dialog';
import { BindingPanel } from './binding-panel';
import { BindingsList } from './bindings-list';
import { bindingKey, buildGraph, MAX_DRAWN_NODES, type Args, type Binding, type Highlight, type Topology } from './graph-model';
import { RouteTester, type TestedRoute } from './route-tester';
import { RoutingGraph } from './routing-graph';

const DEFAULTS = { vhost: '/', search: '' };

export function RoutingPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useUrlState(DEFAULTS);
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());
  const graph = useLive(trpc.routing.graph.queryOptions({ vhost: state.vhost }));
  const [tested, setTested] = useState<TestedRoute | null>(null);
  const traceInput = { vhost: state.vhost, exchange: tested?.exchange ?? '', routingKey: tested?.routingKey ?? '', headers: tested?.headers ?? [] };
  const trace = useQuery({ ...trpc.publish.trace.queryOptions(traceInput), enabled: tested !== null });
  const [selected, setSelected] = useState<Binding | null>(null);
  // Groups of queues drawn one by one (graph-groups.ts); none after a change of vhost.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggleGroup = (prefix: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(prefix)) next.add(prefix);
      return next;
    });
  const [draft, setDraft] = useState<BindingDraft | null>(null);

  // Each change refreshes the graph (routing), the queue and exchange pages' bindings.
  const add = useMutate(trpc.bindings.add.mutationOptions(), trpc.routing, trpc.queues, trpc.exchanges);
  const update = useMutate(trpc.bindings.update.mutationOptions(), trpc.routing, trpc.queues, trpc.exchanges);
  const remove = useMutate(trpc.bindings.remove.mutationOptions(), trpc.routing, trpc.queues, trpc.exchanges);
  const topology: Topology | undefined = graph.data;
  const sourceType = (name: string) => topology?.exchanges.find((e) => e.name === name)?.type ?? 'direct';

  const highlight = useMemo<Highlight | null>(() => {
    if (!tested || !trace.data) return null;
    const matched = new Set<string>();
    for (const s of trace.data.steps) if (s.matched && s.binding) matched.add(bindingKey({ ...s.binding, arguments: s.binding.arguments as Args }));
    return { matched, queues: new Set(trace.data.queues) };
  }, [tested, trace.data]);
  const drawn = useMemo(() => (topology ? buildGraph(topology, state.search, highlight, expanded) : null), [topology, state.search, highlight, expanded]);

  const propose = (source: string, destination: string, destinationType: 'queue' | 'exchange') =>
    setDraft({ source, sourceType: sourceType(source), destination, destinationType, routingKey: '', arguments: {}, editing: false });
  const toBindingInput = (b: Binding) => ({ vhost: state.vhost, ...b });

  const saveDraft = async (routingKey: string, args: Args) => {
    if (!draft) return;
    const next: Binding = { source: draft.source, destination: draft.destination, destinationType: draft.destinationType, routingKey, arguments: args };
    // Bind the new one first, so a refused key leaves the old binding in place.
    if (draft.editing && selected) {
      // One change on the server (audited as binding.update), new binding first.
      await update.mutateAsync({ ...toBindingInput(next), oldRoutingKey: selected.routingKey, oldArguments: selected.arguments as Record<string, string> });
    } else await add.mutateAsync(toBindingInput(next));
    setDraft(null);
    setSelected(draft.editing ? next : null);
  };
  const deleteSelected = async () => {
    if (!selected) return;
    await remove.mutateAsync(toBindingInput(selected));
    setSelected(null);
  };
  const mutationError = add.error ?? update.error ?? remove.error;

  return (
    <section>
      <h1>Routing</h1>
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Vhost{' '}
          <select value={state.vhost} onChange={(e) => (setSelected(null), setTested(null), setExpanded(new Set()), setState({ vhost: e.target.value }))}>
            {(vhosts.data ?? [state.vhost]).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show around <input type="search" value={state.search} placeholder="exchange or queue name" onChange={(e) => setState({ search: e.target.value })} />
        </label>
        {drawn && (
          <span className="muted" role="status">
            {drawn.nodes.length} node(s) drawn{drawn.hidden > 0 ? `, ${drawn.hidden} not shown` : ''}
            {drawn.groups.length > 0 && `; queues grouped by name prefix (${drawn.groups.length} groups), click a group to expand it`}
          </span>
        )}
        {[...expanded].sort().map((prefix) => (
          <button key={prefix} type="button" onClick={() => toggleGroup(prefix)}>
            Collapse {prefix}…
          </button>
        ))}
      </form>
      <p className="muted">
        Drag from the right edge of an exchange to a queue or another exchange to bind it; click a binding to edit or delete it. Dashed lines are alternate
        exchanges, dead-letter and retry paths. Keyboard users: the bindings table and the tester below do everything the drawing does.
      </p>
      {graph.isPending && <p role="status">Loading the topology…</p>}
      {graph.isError && (
        <p role="alert" className="error">
          {graph.error.message}
        </p>
      )}
      {drawn &&
        (drawn.nodes.length === 0 ? (
          <div className="empty" role="status">
            {drawn.tooMany
              ? `${drawn.hidden.toLocaleString()} exchanges, queues and retry stages match: too many to draw (at most ${MAX_DRAWN_NODES}). Type a name in “Show around” to draw its neighbourhood.`
              : state.search
                ? 'Nothing matches this name.'
                : 'No exchanges or queues in this vhost yet.'}
          </div>
        ) : (
          <RoutingGraph
            key={`${state.vhost}|${state.search}|${drawn.nodes.length}|${[...expanded].join(',')}`}
            nodes={drawn.nodes}
            edges={drawn.edges}
            onConnect={(source, target) => propose(source.slice(2), target.slice(2), target.startsWith('q:') ? 'queue' : 'exchange')}
            onSelectBinding={setSelected}
            onExpandGroup={toggleGroup}
          />
        ))}
      {mutationError && !draft && (
        <p role="alert" className="error">
          {mutationError.message}
        </p>
      )}
      {selected && (
        <BindingPanel
          binding={selected}
          busy={remove.isPending}
          onEdit={() => setDraft({ ...selected, sourceType: sourceType(selected.source), editing: true })}
          // A refused delete shows through the mutation's error below the graph.
          onDelete={() => void deleteSelected().catch(() => undefined)}
          onClose={() => setSelected(null)}
        />
      )}
      <RouteTester
        vhost={state.vhost}
        exchanges={topology?.exchanges ?? []}
        trace={tested && trace.data ? trace.data : null}
        error={trace.error?.message ?? null}
        onTest={(route) => {
          // A new test always asks the engine again, even for the same route.
          queryClient.removeQueries({ queryKey: trpc.publish.trace.queryKey() });
          setTested(route);
        }}
      />
      {topology && <BindingsList topology={topology} search={state.search} onSelect={setSelected} onPropose={propose} />}
      <BindingDialog
        draft={draft}
        busy={add.isPending || update.isPending || remove.isPending}
        error={draft ? (mutationError?.message ?? null) : null}
        // A refused binding shows in the dialog through the mutation's error; the dialog stays open.
        onSubmit={(key, args) => void saveDraft(key, args).catch(() => undefined)}
        onCancel={() => (add.reset(), remove.reset(), setDraft(null))}
      />
    </section>
  );
}
