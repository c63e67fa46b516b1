import Link from 'next/link';
import type { AppRouterOutputs } from '../../_lib/trpc';
import { queueHref } from '../../_lib/links';

export type ChannelRow = AppRouterOutputs['connections']['list'][number]['channelList'][number];

/** Per-consumer prefetch, or the channel's shared (global) one, as a person reads it. */
export function prefetchText(ch: Pick<ChannelRow, 'prefetch' | 'globalPrefetch'>): string {
  const each = ch.prefetch === 0 ? 'unlimited' : String(ch.prefetch);
  return ch.globalPrefetch === 0 ? each : `${each} (${ch.globalPrefetch} shared)`;
}

export const rateText = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** What each consumer of a channel takes from: its queue (linked), tag and prefetch use. */
export function ChannelConsumers({ consumers }: { consumers: ChannelRow['consumers'] }) {
  if (consumers.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain-list">
      {consumers.map((c) => (
        <li key={c.tag}>
          <Link href={queueHref(c.vhost, c.queue)}>{c.queue}</Link>{' '}
          <span className="muted" title={`Consumer tag ${c.tag}`}>
            {c.tag} · {c.noAck ? 'auto-ack' : c.prefetch > 0 ? `${c.unacked} / ${c.prefetch} unacked` : `${c.unacked} unacked`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The channels of one connection, opened under its row. */
export function ChannelDetails({ id, connection, channels }: { id: string; connection: string; channels: ChannelRow[] }) {
  if (channels.length === 0)
    return (
      <p id={id} className="muted">
        No channel open.
      </p>
    );
  return (
    <table id={id} className="table channel-details" aria-label={`Channels of ${connection}`}>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col">Prefetch</th>
          <th scope="col">Unacked</th>
          <th scope="col">Confirm mode</th>
          <th scope="col">Transactional</th>
          <th scope="col">Publish/s</th>
          <th scope="col">Deliver/s</th>
          <th scope="col">Consumes</th>
        </tr>
      </thead>
      <tbody>
        {channels.map((ch) => (
          <tr key={ch.number} data-channel={ch.number}>
            <th scope="row">
              #{ch.number}
              {!ch.flowing && <span className="error"> (paused: client not reading)</span>}
            </th>
            <td>{prefetchText(ch)}</td>
            <td>{ch.unacked.toLocaleString()}</td>
            <td>{ch.confirm ? 'on' : 'off'}</td>
            <td>{ch.transactional ? 'yes' : 'no'}</td>
            <td>{rateText(ch.publish)}</td>
            <td>{rateText(ch.deliver)}</td>
            <td>
              <ChannelConsumers consumers={ch.consumers} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
