'use client';

import Link from 'next/link';
import type { MouseEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../_lib/trpc';

const KIND_LABEL = { queue: 'Queue', exchange: 'Exchange', stream: 'Stream' } as const;

/**
 * A queue, exchange or stream the address names but the broker does not have:
 * said once (the live query stops asking, see useLive), with names close to it
 * and the way back to the list. A page that keeps the name in its own state
 * rather than reading the address (the exchanges page, through useUrlState)
 * passes `onFollow`: a link to the same page would not change that state, so
 * following one sets it instead (with '' for the list).
 */
export function MissingObject({
  kind,
  vhost,
  name,
  href,
  onFollow,
}: {
  kind: keyof typeof KIND_LABEL;
  vhost: string;
  name: string;
  href: (name: string) => string;
  onFollow?: (name: string) => void;
}) {
  const trpc = useTRPC();
  const follow = (to: string) =>
    onFollow &&
    ((e: MouseEvent) => {
      e.preventDefault();
      onFollow(to);
    });
  const close = useQuery({ ...trpc.system.closeNames.queryOptions({ vhost, kind, name }), staleTime: Infinity });
  const list = kind === 'stream' ? '/streams' : `/${kind}s`;
  return (
    <div className="empty" role="status" aria-label={`${KIND_LABEL[kind]} not found`}>
      <p>
        {KIND_LABEL[kind]} &apos;{name}&apos; does not exist in vhost {vhost}.
      </p>
      {close.data && close.data.length > 0 && (
        <p>
          Did you mean{' '}
          {close.data.map((n, i) => (
            <span key={n}>
              {i > 0 && ', '}
              <Link href={href(n)} onClick={follow(n)}>
                {n}
              </Link>
            </span>
          ))}
          ?
        </p>
      )}
      <p>
        <Link href={list} onClick={follow('')}>
          Back to the {kind} list
        </Link>
      </p>
    </div>
  );
}
