import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatClock } from '../../_lib/format';
import { queueHref } from '../../_lib/links';
import type { AppRouterOutputs } from '../../_lib/trpc';

export type Step = AppRouterOutputs['journeys']['find']['journeys'][number]['steps'][number];

const LABELS: Record<Step['kind'], string> = {
  published: 'Published',
  unroutable: 'Unroutable',
  'binding-matched': 'Binding matched',
  enqueued: 'Entered queue',
  dropped: 'Dropped',
  delivered: 'Delivered',
  acked: 'Acknowledged',
  nacked: 'Nacked',
  rejected: 'Rejected',
  requeued: 'Requeued',
  'retry-scheduled': 'Held for retry',
  'retry-released': 'Back from retry tier',
  'dead-lettered': 'Dead-lettered',
  expired: 'Expired',
  purged: 'Purged',
  deleted: 'Deleted',
  moved: 'Moved',
  copied: 'Copied',
  edited: 'Edited and republished',
};

/** Steps that end the message's stay somewhere, or its journey. */
const BAD = new Set<Step['kind']>(['unroutable', 'dropped', 'rejected', 'nacked', 'dead-lettered', 'expired', 'purged', 'deleted']);

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** One step of a journey: when, what, and its details with links to the queues, exchanges and connections named. */
export function JourneyStep({ vhost, step }: { vhost: string; step: Step }) {
  const d = step.details;
  const queue = (name: unknown) => <Link href={queueHref(vhost, text(name))}>{text(name)}</Link>;
  const exchange = (name: unknown) => <Link href={`/exchanges?vhost=${encodeURIComponent(vhost)}`}>{text(name) === '' ? '(default)' : text(name)}</Link>;
  const connection = (id: unknown) => (id ? <Link href="/connections">{text(id)}</Link> : null);
  const by = d.by ? <> by user {text(d.by)}</> : null;
  const inQueue = step.queue ? <> in queue {queue(step.queue)}</> : null;
  const consumer = (
    <>
      {d.consumerTag ? <> consumer {text(d.consumerTag)}</> : null}
      {d.connection ? (
        <>
          {' '}
          on connection {connection(d.connection)}, channel {text(d.channel)}
        </>
      ) : null}
    </>
  );
  let what: ReactNode;
  switch (step.kind) {
    case 'published':
      what = (
        <>
          to exchange {exchange(d.exchange)} with routing key <code>{text(d.routingKey)}</code> by user {text(d.user)}
          {d.client ? <> ({text(d.client)})</> : null}
          {d.connection ? (
            <>
              {' '}
              on connection {connection(d.connection)}, channel {text(d.channel)}
            </>
          ) : null}
          , {text(d.bytes)} bytes
          {d.persistent ? ', persistent' : ''}
          {step.from !== undefined ? <>, made from message {step.from}</> : null}
        </>
      );
      break;
    case 'unroutable':
      what = (
        <>
          exchange {exchange(d.exchange)} had no binding for routing key <code>{text(d.routingKey)}</code>
        </>
      );
      break;
    case 'binding-matched':
      what = (
        <>
          {exchange(d.exchange)} → {d.destinationType === 'queue' ? <>queue {queue(d.destination)}</> : <>exchange {exchange(d.destination)}</>} (binding key{' '}
          <code>{text(d.bindingKey)}</code>): {text(d.reason)}
        </>
      );
      break;
    case 'delivered':
      what = (
        <>
          {inQueue} {d.via === 'basic.get' ? 'by basic.get' : 'to'}
          {consumer}
          {d.redelivered ? `, redelivered (delivery ${Number(d.deliveryCount) + 1})` : ', first delivery'}
        </>
      );
      break;
    case 'acked':
      what = (
        <>
          {inQueue}
          {consumer}
        </>
      );
      break;
    case 'nacked':
    case 'rejected':
      what = (
        <>
          {inQueue}
          {consumer}, {d.requeue ? 'requeued' : 'not requeued'}
        </>
      );
      break;
    case 'retry-scheduled':
      what = (
        <>
          {inQueue}: tier {text(d.tier)}, attempt {text(d.attempt)}, due at {formatClock(Number(d.dueAt))} (as message {step.id})
        </>
      );
      break;
    case 'retry-released':
      what = (
        <>
          {text(d.tier)} to queue {queue(step.queue)}
        </>
      );
      break;
    case 'dead-lettered':
      what = (
        <>
          from queue {queue(step.queue)}, reason <strong>{text(d.reason)}</strong>, to exchange {exchange(d.exchange)} with routing key{' '}
          <code>{text(d.routingKey)}</code> (as message {step.id})
        </>
      );
      break;
    case 'dropped':
      what = (
        <>
          {inQueue}: {text(d.reason)}
          {d.why ? <> ({text(d.why)})</> : null}
        </>
      );
      break;
    case 'requeued':
      what = (
        <>
          {inQueue}: {text(d.reason)}
        </>
      );
      break;
    case 'moved':
      what = (
        <>
          from queue {queue(step.queue)} to queue {queue(d.to)}
          {by}
        </>
      );
      break;
    case 'edited':
      what = (
        <>
          {inQueue}
          {by}, to exchange {exchange(d.exchange)} with routing key <code>{text(d.routingKey)}</code>
          {d.removeOriginal ? ', original removed' : ', original kept'}
        </>
      );
      break;
    default:
      what = (
        <>
          {inQueue}
          {by}
        </>
      );
  }
  return (
    <li className={`journey-step${BAD.has(step.kind) ? ' journey-bad' : ''}`} data-kind={step.kind}>
      <time dateTime={new Date(step.at).toISOString()} title={new Date(step.at).toLocaleString([], { hour12: false })}>
        {formatClock(step.at)}.{String(step.at % 1000).padStart(3, '0')}
      </time>
      <strong className="journey-kind">{LABELS[step.kind]}</strong>
      <span className="journey-details">{what}</span>
    </li>
  );
}
