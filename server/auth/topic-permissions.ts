/**
 * RabbitMQ's topic permissions: per user, vhost and topic exchange, a write
 * and a read pattern over routing keys. Warren keeps them (a definitions
 * import brings them, an export writes them back) but does not enforce them
 * yet: publishing and binding are checked with the ordinary permissions only.
 */
import { compileUserPattern } from '../broker/patterns/user-pattern';
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
  constructor(private readonly db: MetadataDb) {}

  async list(): Promise<TopicPermissionEntry[]> {
    const rows = await this.db.prisma.topicPermission.findMany({ include: { user: true, vhost: true }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ user: r.user.name, vhost: r.vhost.name, exchange: r.exchange, write: r.write, read: r.read }));
  }

  /** Sets (or replaces) one; 404 for a missing user or vhost, 406 naming a bad pattern. */
  async set(entry: TopicPermissionEntry): Promise<void> {
    compileUserPattern(entry.write, 'topic permission write pattern');
    compileUserPattern(entry.read, 'topic permission read pattern');
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
  }

  async clear(user: string, vhost: string, exchange: string): Promise<void> {
    await this.db.prisma.topicPermission.deleteMany({ where: { exchange, user: { name: user }, vhost: { name: vhost } } });
  }
}
