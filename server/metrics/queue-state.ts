/**
 * What a queue is doing, in words a person on call understands, instead of
 * RabbitMQ's consumer utilisation (which reads 0% for a consumer whose
 * prefetch is full and 100% for a queue with nothing to deliver). The
 * server decides the state; the console shows its label and, on hover, its
 * explanation. The management API keeps consumer_utilisation for tools that
 * read it.
 */

export type QueueState = 'paused' | 'no-consumers' | 'saturated' | 'keeping-up' | 'idle' | 'stream';

export const QUEUE_STATES: Record<QueueState, { label: string; explanation: string }> = {
  paused: {
    label: 'paused',
    explanation: 'Delivery is paused from the console: consumers stay attached and get nothing until it is resumed.',
  },
  'no-consumers': {
    label: 'no consumers',
    explanation: 'Messages are waiting and no consumer is attached: nothing will take them until one subscribes.',
  },
  saturated: {
    label: 'consumers saturated',
    explanation:
      'Messages are waiting but every consumer has its prefetch full (or its connection is not reading): ' +
      'they take a new message only when they acknowledge one. Add consumers, raise the prefetch, or find what slows them.',
  },
  'keeping-up': {
    label: 'keeping up',
    explanation: 'Consumers take messages as they arrive: none waits for a consumer with room.',
  },
  idle: {
    label: 'idle',
    explanation: 'Nothing is waiting and nothing moved in the last seconds.',
  },
  stream: {
    label: 'stream',
    explanation: 'A stream keeps its messages for every reader; how far each consumer group is behind is on the stream’s page.',
  },
};

export interface QueueStateInput {
  type: string;
  paused: boolean;
  ready: number;
  unacked: number;
  consumers: number;
  rates: {
    incoming: number;
    deliver: number;
    ack: number;
    /** Share of the last sampled second in which consumers could take messages at once; null without consumers or before a second sample. */
    utilisation: number | null;
  };
}

/**
 * The rule: saturated means messages are ready, consumers are attached, and
 * for most of the last second none of them could take one.
 */
export function queueState(q: QueueStateInput): QueueState {
  if (q.type === 'stream') return 'stream';
  if (q.paused) return 'paused';
  const moving = q.rates.incoming + q.rates.deliver + q.rates.ack > 0;
  if (q.consumers === 0) return q.ready > 0 ? 'no-consumers' : moving ? 'keeping-up' : 'idle';
  if (q.ready > 0 && q.rates.utilisation !== null && q.rates.utilisation < 0.5) return 'saturated';
  return q.ready === 0 && q.unacked === 0 && !moving ? 'idle' : 'keeping-up';
}
