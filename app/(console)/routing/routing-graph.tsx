'use client';

import '@xyflow/react/dist/style.css';
import { Background, Controls, ReactFlow, type Connection, type Edge, type Node } from '@xyflow/react';
import type { Binding, EdgeData, NodeData } from './graph-model';
import { NODE_TYPES } from './graph-nodes';

/**
 * The drawing: laid-out nodes and edges, a drag from an exchange's right
 * handle to a queue or exchange proposes a binding, a click on a binding
 * selects it. Nodes stay where the layout put them (not draggable), so the
 * picture does not jump when live counts refresh it.
 */
export function RoutingGraph({
  nodes,
  edges,
  onConnect,
  onSelectBinding,
  onExpandGroup,
}: {
  nodes: Node<NodeData>[];
  edges: Edge<EdgeData>[];
  onConnect: (sourceId: string, targetId: string) => void;
  onSelectBinding: (binding: Binding) => void;
  /** A click on a group of queues draws them one by one. */
  onExpandGroup: (prefix: string) => void;
}) {
  const connect = (c: Connection) => {
    if (c.source.startsWith('x:') && c.source !== c.target) onConnect(c.source, c.target);
  };
  return (
    <div className="routing-graph" aria-label="Routing graph: exchanges, queues and bindings" role="figure">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable
        edgesFocusable
        onConnect={connect}
        isValidConnection={(c) =>
          c.source.startsWith('x:') && c.source !== 'x:' && (c.target.startsWith('x:') || c.target.startsWith('q:')) && c.source !== c.target
        }
        onEdgeClick={(_, edge) => edge.data?.binding && onSelectBinding(edge.data.binding)}
        onNodeClick={(_, node) => node.data.group !== undefined && onExpandGroup(node.data.group)}
        fitView
        minZoom={0.2}
        colorMode="system"
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
