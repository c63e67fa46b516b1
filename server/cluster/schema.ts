/**
 * The cluster's own tables in the PostgreSQL schema `warren_cluster`
 * (docs/cluster.md, Tables): written through `pg`, never through Prisma, whose
 * migrations only see the schema `public`. A small versioned runner: the
 * `setting` row `schema_version` says which steps ran. The change-feed
 * triggers on Prisma's tables are re-created at every start, in case a Prisma
 * migration rebuilt a table. Several nodes starting at once take turns on an
 * advisory lock.
 */
import type pg from 'pg';

/** Step n brings the schema from version n to n + 1. */
const STEPS: string[] = [
  `
  CREATE SCHEMA IF NOT EXISTS warren_cluster;
  CREATE TABLE warren_cluster.setting (key text PRIMARY KEY, value text NOT NULL);
  CREATE SEQUENCE warren_cluster.incarnation_seq;
  CREATE TABLE warren_cluster.cluster_node (
    name             text PRIMARY KEY,
    node_id          uuid NOT NULL,
    incarnation      bigint NOT NULL UNIQUE,
    amqp_address     text NOT NULL,
    http_address     text NOT NULL,
    version          text NOT NULL,
    state            text NOT NULL CHECK (state IN ('running', 'left')),
    started_at       timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    lease_expires_at timestamptz NOT NULL,
    summary          jsonb NOT NULL DEFAULT '{}'
  );
  CREATE SEQUENCE warren_cluster.topology_change_seq;
  CREATE TABLE warren_cluster.topology_change (
    id     bigint PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    origin text NOT NULL,
    entity text NOT NULL,
    op     "char" NOT NULL,
    row    jsonb NOT NULL
  );
  `,
];

/** Prisma's tables whose changes every node must see. */
export const FEED_TABLES = ['Vhost', 'User', 'Permission', 'TopicPermission', 'Policy', 'Exchange', 'Queue', 'Binding'] as const;
export type FeedTable = (typeof FEED_TABLES)[number];

/** The trigger functions and triggers, re-created at every start. */
const TRIGGERS = `
-- Before a statement touches a topology table: one topology writer at a time,
-- until its commit. Ids are then taken in commit order, so a reader that has
-- seen id n has seen every change below n.
CREATE OR REPLACE FUNCTION warren_cluster.topology_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('warren_cluster.topology'));
  RETURN NULL;
END $$;

-- After each changed row: its entry in the feed (without secrets), and a wake-up.
CREATE OR REPLACE FUNCTION warren_cluster.topology_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
  INSERT INTO warren_cluster.topology_change (id, origin, entity, op, row)
  VALUES (nextval('warren_cluster.topology_change_seq'), current_setting('application_name'),
          TG_TABLE_NAME, left(TG_OP, 1)::"char", r - 'passwordHash');
  PERFORM pg_notify('warren_topology', '');
  RETURN NULL;
END $$;
${FEED_TABLES.map(
  (table) => `
CREATE OR REPLACE TRIGGER warren_topology_lock BEFORE INSERT OR UPDATE OR DELETE ON public."${table}"
  FOR EACH STATEMENT EXECUTE FUNCTION warren_cluster.topology_lock();
CREATE OR REPLACE TRIGGER warren_topology_changed AFTER INSERT OR UPDATE OR DELETE ON public."${table}"
  FOR EACH ROW EXECUTE FUNCTION warren_cluster.topology_changed();`,
).join('')}
`;

/** Brings `warren_cluster` up to date and (re-)creates the feed's triggers. Prisma's migrations must have run. */
export async function ensureClusterSchema(client: pg.Client): Promise<void> {
  await client.query(`SELECT pg_advisory_lock(hashtext('warren_cluster.schema'))`);
  try {
    let version = await schemaVersion(client);
    for (; version < STEPS.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(STEPS[version]!);
        await client.query(
          `INSERT INTO warren_cluster.setting (key, value) VALUES ('schema_version', $1)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [String(version + 1)],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    await client.query(TRIGGERS);
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('warren_cluster.schema'))`);
  }
}

async function schemaVersion(client: pg.Client): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('warren_cluster.setting') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return 0;
  const row = await client.query(`SELECT value FROM warren_cluster.setting WHERE key = 'schema_version'`);
  return Number(row.rows[0]?.value ?? 0);
}
