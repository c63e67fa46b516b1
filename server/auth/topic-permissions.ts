/**
 * RabbitMQ's topic permissions: per user, vhost and topic exchange, a write
 * and a read pattern over routing keys. They are kept in the metadata
 * database (a definitions import brings them, an export writes them back) and
 * enforced by the engine's TopicAccess (broker/access/topic-access.ts), which
 * this keeps in step.
 */
import type { TopicAccess } from '../broker/access/topic-access';
import { compileTopicPatterns } from '../broker/access/topic-access';
import { BrokerError } from '../broker/errors';
import type { MetadataDb } from '../store/db';

export interface TopicPermissionEntry {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export class TopicPermissions {
  constructor(
    private readonly db: MetadataDb,
    private readonly access: TopicAccess,
  ) {}

  /** Gives the engine every stored topic permission (at start). */
  async load(): Promise<void> {
    for (const t of await this.list()) this.access.set(t.user, t.vhost, t.exchange, t);
  }

  async list(): Promise<TopicPermissionEntry[]> {
    const rows = await this.db.prisma.topicPermission.findMany({ include: { user: true, vhost: true }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ user: r.user.name, vhost: r.vhost.name, exchange: r.exchange, write: r.write, read: r.read }));
  }

  /** Sets (or replaces) one; 404 for a missing user or vhost, 406 naming a bad pattern. */
  async set(entry: TopicPermissionEntry): Promise<void> {
    compileTopicPatterns(entry, entry.user, entry.vhost);
    const user = await this.db.prisma.user.findUnique({ where: { name: entry.user } });
    if (!user) throw new BrokerError('NOT_FOUND', `no user '${entry.user}'`);
    const vhost = await this.db.prisma.vhost.findUnique({ where: { name: entry.vhost } });
    if (!vhost) throw new BrokerError('NOT_FOUND', `no vhost '${entry.vhost}'`);
    const patterns = { write: entry.write, read: entry.read };
    await this.db.prisma.topicPermission.upsert({
      where: { userId_vhostId_exchange: { userId: user.id, vhostId: vhost.id, exchange: entry.exchange } },
      create: { userId: user.id, vhostId: vhost.id, exchange: entry.exchange, ...patterns },
      update: patterns,
    });
    this.access.set(entry.user, entry.vhost, entry.exchange, patterns);
  }

  async clear(user: string, vhost: string, exchange: string): Promise<void> {
    this.access.clear(user, vhost, exchange);
    await this.db.prisma.topicPermission.deleteMany({ where: { exchange, user: { name: user }, vhost: { name: vhost } } });
  }
}
