import Link from 'next/link';
import { journeyHref } from '../../_lib/links';

/** From a message on a queue's page to its journey, by Warren's broker id. */
export function JourneyLink({ vhost, brokerId }: { vhost: string; brokerId: number | null }) {
  if (brokerId === null) return null;
  return (
    <Link href={journeyHref(vhost, String(brokerId))} className="journey-link">
      Journey of message {brokerId}
    </Link>
  );
}
