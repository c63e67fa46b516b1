/**
 * The audit trail of destructive acts done from the console (purge, delete,
 * move, close a connection): who, what, on which object, with what effect.
 */
import type { Services } from '../services';

export interface AuditInput {
  user: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(services: Services, entry: AuditInput): Promise<void> {
  await services.db.prisma.auditEntry.create({
    data: { user: entry.user, action: entry.action, target: entry.target, details: JSON.stringify(entry.details ?? {}) },
  });
}

export async function recentAudit(services: Services, limit: number) {
  const rows = await services.db.prisma.auditEntry.findMany({ orderBy: { id: 'desc' }, take: limit });
  return rows.map((r) => ({ ...r, time: r.time.getTime(), details: JSON.parse(r.details) as Record<string, unknown> }));
}
