import { QUEUE_STATES, type QueueState } from '../../../server/metrics/queue-state';

/** What a queue is doing, in a word or two, explained on hover and to screen readers. */
export function QueueStateText({ state }: { state: QueueState }) {
  const { label, explanation } = QUEUE_STATES[state];
  return (
    <span className={`queue-state queue-state-${state}`} data-state={state} title={explanation}>
      {label}
    </span>
  );
}
