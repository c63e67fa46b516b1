/** A queue's flags, policy and notable arguments in force as small badges, with the exact value on hover. */
const LABELS: Record<string, string> = {
  'x-message-ttl': 'TTL',
  'x-expires': 'Expires',
  'x-dead-letter-exchange': 'DLX',
  'x-dead-letter-routing-key': 'DLK',
  'x-max-length': 'Max len',
  'x-max-length-bytes': 'Max bytes',
  'x-overflow': 'Overflow',
  'x-max-priority': 'Priority',
  'x-single-active-consumer': 'SAC',
  'x-retry-tiers': 'Retry tiers',
  'x-delivery-limit': 'Delivery limit',
};

export function ArgumentBadges({
  args,
  policy,
  durable,
  exclusive,
  autoDelete,
}: {
  /** The arguments in force (declared, with the policy's merged in). */
  args: Record<string, unknown>;
  policy: string | null;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
}) {
  const badges: { label: string; title: string }[] = [];
  if (durable) badges.push({ label: 'D', title: 'durable' });
  if (exclusive) badges.push({ label: 'Excl', title: 'exclusive' });
  if (autoDelete) badges.push({ label: 'AD', title: 'auto-delete' });
  if (policy !== null) badges.push({ label: 'Policy', title: `policy: ${policy}` });
  for (const [key, value] of Object.entries(args)) {
    const label = LABELS[key];
    if (label) badges.push({ label, title: `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}` });
  }
  return (
    <span className="badges">
      {badges.map((b) => (
        <abbr key={b.label} className="badge" title={b.title}>
          {b.label}
        </abbr>
      ))}
    </span>
  );
}
