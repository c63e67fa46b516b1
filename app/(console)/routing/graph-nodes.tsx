'use client';

import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { NodeData } from './graph-model';

type GraphNode = Node<NodeData>;

/** An exchange: bindings leave from its right handle and arrive (exchange-to-exchange) at its left one. */
function ExchangeNode({ data }: NodeProps<GraphNode>) {
  return (
    <div className="rnode rnode-exchange" title={`Drag from the right edge of ${data.label} to a queue or exchange to bind it`}>
      <Handle type="target" position={Position.Left} />
      <strong>{data.label}</strong>
      <span className="muted">exchange · {data.detail}</span>
      <Handle type="source" position={Position.Right} title={`Drag to bind from ${data.label}`} />
    </div>
  );
}

/** A queue: it only receives bindings; its source handle carries the dead-letter and retry paths. */
function QueueNode({ data }: NodeProps<GraphNode>) {
  return (
    <div className={data.reached ? 'rnode rnode-queue rnode-reached' : 'rnode rnode-queue'} data-reached={data.reached ? 'true' : undefined}>
      <Handle type="target" position={Position.Left} />
      <strong>{data.label}</strong>
      <span className="muted">queue · {data.detail}</span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** A queue's retry tiers, between the queue and its dead-letter queue. */
function RetryNode({ data }: NodeProps<GraphNode>) {
  return (
    <div className="rnode rnode-retry">
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <strong>{data.label}</strong>
      <span className="muted">{data.detail}</span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** Queues sharing a name prefix, drawn as one until clicked (graph-groups.ts). */
function GroupNode({ data }: NodeProps<GraphNode>) {
  return (
    <div
      className={data.reached ? 'rnode rnode-queue rnode-group rnode-reached' : 'rnode rnode-queue rnode-group'}
      title={`Click to draw each ${data.label} queue`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <strong>{data.label}</strong>
      <span className="muted">{data.detail}</span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** The default exchange: it binds every queue by its name, said in the node rather than drawn as an edge per queue. */
function DefaultExchangeNode({ data }: NodeProps<GraphNode>) {
  return (
    <div className="rnode rnode-exchange">
      <strong>{data.label}</strong>
      <span className="muted">{data.detail}</span>
    </div>
  );
}

export const NODE_TYPES = { exchange: ExchangeNode, queue: QueueNode, retry: RetryNode, queueGroup: GroupNode, defaultExchange: DefaultExchangeNode };
