/**
 * The audit trail of what is done from the console (purges, deletions, moves,
 * closed connections, users, vhosts and permissions): who, from which
 * address, what, on which object, with what effect.
 */
import type { SignedInUser } from '../auth/users';
import { defaultLogger } from '../log';
import type { Services } from '../services';

export interface AuditInput {
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/** Who acts: the signed-in user of a request and the address it came from. */
export interface AuditActor {
  services: Services;
  user: SignedInUser;
  peerAddress: string;
}

/** Records the entry in the metadata database and logs it (one line per audit event). */
export async function recordAudit(actor: AuditActor, entry: AuditInput): Promise<void> {
  const logger = actor.services.logger ?? defaultLogger();
  logger.info(
    {
      module: 'audit',
      event: 'audit',
      action: entry.action,
      target: entry.target,
      user: actor.user.name,
      peer: actor.peerAddress,
      details: entry.details ?? {},
    },
    `${actor.user.name} from ${actor.peerAddress}: ${entry.action} ${entry.target}`,
  );
  await actor.services.db.prisma.auditEntry.create({
    data: {
      user: actor.user.name,
      address: actor.peerAddress,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
    },
  });
}

export async function recentAudit(services: Services, limit: number) {
  const rows = await services.db.prisma.auditEntry.findMany({ orderBy: { id: 'desc' }, take: limit });
  return rows.map((r) => ({ ...r, time: r.time.getTime(), details: JSON.parse(r.details) as Record<string, unknown> }));
}
