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
  // Queue ownership (docs/cluster.md, Queue ownership): one lease row per durable queue.
  `
  CREATE TABLE warren_cluster.queue_lease (
    queue_id    integer PRIMARY KEY REFERENCES public."Queue" (id) ON DELETE CASCADE,
    node        text NOT NULL,
    incarnation bigint NOT NULL,
    epoch       bigint NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    takeovers   integer NOT NULL DEFAULT 0
  );
  CREATE INDEX queue_lease_owner ON warren_cluster.queue_lease (node, incarnation);
  `,
  // Messages of durable queues (docs/cluster.md, Messages in PostgreSQL): append-only, one
  // partition per generation, dropped whole once nothing in it is live.
  `
  CREATE TABLE warren_cluster.generation (
    gen        integer PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE warren_cluster.entry (
    gen         integer NOT NULL,
    queue_id    integer NOT NULL,
    seq         bigint NOT NULL,
    epoch       bigint NOT NULL,
    expires_at  bigint NOT NULL,
    exchange    text NOT NULL,
    routing_key text NOT NULL,
    properties  bytea NOT NULL,
    body        bytea NOT NULL,
    PRIMARY KEY (queue_id, seq, gen)
  ) PARTITION BY LIST (gen);
  CREATE TABLE warren_cluster.removal (
    gen      integer NOT NULL,
    queue_id integer NOT NULL,
    seq_lo   bigint NOT NULL,
    seq_hi   bigint NOT NULL,
    epoch    bigint NOT NULL
  ) PARTITION BY LIST (gen);
  CREATE INDEX removal_queue ON warren_cluster.removal (queue_id, seq_lo);
  INSERT INTO warren_cluster.generation (gen) VALUES (1);
  CREATE TABLE warren_cluster.entry_00000001 PARTITION OF warren_cluster.entry FOR VALUES IN (1);
  CREATE TABLE warren_cluster.removal_00000001 PARTITION OF warren_cluster.removal FOR VALUES IN (1);
  `,
  // Moving a queue: the node the owner is asked to hand it to; the counts of the queues a node owns, for every console.
  `
  ALTER TABLE warren_cluster.queue_lease ADD COLUMN move_to text;
  ALTER TABLE warren_cluster.cluster_node ADD COLUMN queue_counts jsonb NOT NULL DEFAULT '{}';
  `,
  // Every console lists the client connections of every node; a close asked on one node is done by the node that has the connection.
  `
  ALTER TABLE warren_cluster.cluster_node ADD COLUMN connection_rows jsonb NOT NULL DEFAULT '[]';
  CREATE TABLE warren_cluster.connection_close (
    node          text NOT NULL,
    connection_id text NOT NULL,
    reason        text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node, connection_id)
  );
  `,
  // The highest seq of each queue that went to a consumer: a node that loads the queue marks every entry up to it redelivered.
  `
  ALTER TABLE warren_cluster.queue_lease ADD COLUMN delivered_hi bigint NOT NULL DEFAULT 0;
  DROP FUNCTION IF EXISTS warren_cluster.commit_batch(text, integer[], bigint[], integer[], bigint[], bigint[], text[], text[], bytea[], bytea[], integer[], bigint[], bigint[]);
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

-- The fence every write of queue data passes, in the writer's transaction:
-- locks the leases of the queues written (a take-over's UPDATE then waits
-- until the write commits; FOR NO KEY UPDATE rather than FOR SHARE, because
-- the batch then updates the same rows' delivered marks, and a share lock
-- followed by an update of the row in one transaction costs a MultiXact,
-- measured at about 15% of C1's single-node throughput) and refuses the write with WR001 when one of
-- them has another owner or a newer epoch than the writer's.
CREATE OR REPLACE FUNCTION warren_cluster.check_fence(p_node text, p_queue integer[], p_epoch bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM warren_cluster.queue_lease WHERE queue_id = ANY (p_queue) ORDER BY queue_id FOR NO KEY UPDATE;
  IF EXISTS (
    SELECT 1 FROM unnest(p_queue, p_epoch) AS f(queue_id, epoch)
      LEFT JOIN warren_cluster.queue_lease l USING (queue_id)
     WHERE l.epoch IS DISTINCT FROM f.epoch OR l.node IS DISTINCT FROM p_node
  ) THEN
    RAISE EXCEPTION 'a queue of this write has another owner now' USING ERRCODE = 'WR001';
  END IF;
END $$;

-- One group commit of a node: its fence, then its entries and removal ranges
-- (seq_lo..seq_hi left the queue for good) into the newest generation, each
-- row with its queue's epoch. One statement, so one transaction, never an
-- interactive one that a paused node could leave open on the leases' locks.
CREATE OR REPLACE FUNCTION warren_cluster.commit_batch(
  p_node text, p_fence_queue integer[], p_fence_epoch bigint[],
  e_queue integer[], e_seq bigint[], e_expires bigint[], e_exchange text[], e_routing_key text[], e_properties bytea[], e_body bytea[],
  r_queue integer[], r_lo bigint[], r_hi bigint[], d_queue integer[], d_hi bigint[]
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  g integer;
BEGIN
  PERFORM warren_cluster.check_fence(p_node, p_fence_queue, p_fence_epoch);
  SELECT max(gen) INTO g FROM warren_cluster.generation;
  INSERT INTO warren_cluster.entry (gen, queue_id, seq, epoch, expires_at, exchange, routing_key, properties, body)
  SELECT g, e.q, e.s, f.epoch, e.x, e.ex, e.rk, e.p, e.b
    FROM unnest(e_queue, e_seq, e_expires, e_exchange, e_routing_key, e_properties, e_body) AS e(q, s, x, ex, rk, p, b)
    JOIN unnest(p_fence_queue, p_fence_epoch) AS f(q, epoch) USING (q);
  INSERT INTO warren_cluster.removal (gen, queue_id, seq_lo, seq_hi, epoch)
  SELECT g, r.q, r.lo, r.hi, f.epoch
    FROM unnest(r_queue, r_lo, r_hi) AS r(q, lo, hi)
    JOIN unnest(p_fence_queue, p_fence_epoch) AS f(q, epoch) USING (q);
  UPDATE warren_cluster.queue_lease l SET delivered_hi = d.hi
    FROM unnest(d_queue, d_hi) AS d(q, hi)
   WHERE l.queue_id = d.q AND l.delivered_hi < d.hi;
END $$;

-- Housekeeping (one node at a time, by an advisory lock): opens a new
-- generation when the newest is older than p_age, then drops, oldest first,
-- each older generation none of whose entries is live any more (removed, or
-- its queue deleted). Only the oldest goes, so a removal row never goes before
-- an entry it cancels. Returns the generations dropped.
CREATE OR REPLACE FUNCTION warren_cluster.rotate_generations(p_age interval) RETURNS integer[] LANGUAGE plpgsql AS $$
DECLARE
  newest integer;
  oldest integer;
  dropped integer[] := '{}';
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('warren_cluster.housekeeping')) THEN RETURN dropped; END IF;
  SELECT gen INTO newest FROM warren_cluster.generation ORDER BY gen DESC LIMIT 1;
  IF (SELECT created_at FROM warren_cluster.generation WHERE gen = newest) <= now() - p_age THEN
    newest := newest + 1;
    INSERT INTO warren_cluster.generation (gen) VALUES (newest);
    EXECUTE format('CREATE TABLE warren_cluster.%I PARTITION OF warren_cluster.entry FOR VALUES IN (%s)', 'entry_' || lpad(newest::text, 8, '0'), newest);
    EXECUTE format('CREATE TABLE warren_cluster.%I PARTITION OF warren_cluster.removal FOR VALUES IN (%s)', 'removal_' || lpad(newest::text, 8, '0'), newest);
  END IF;
  LOOP
    SELECT gen INTO oldest FROM warren_cluster.generation ORDER BY gen LIMIT 1;
    EXIT WHEN oldest >= newest;
    -- Waits for a batch still writing into it; later batches write into a newer one.
    EXECUTE format('LOCK TABLE warren_cluster.%I, warren_cluster.%I IN ACCESS EXCLUSIVE MODE',
                   'entry_' || lpad(oldest::text, 8, '0'), 'removal_' || lpad(oldest::text, 8, '0'));
    EXIT WHEN EXISTS (
      SELECT 1 FROM warren_cluster.entry e
       WHERE e.gen = oldest
         AND EXISTS (SELECT 1 FROM public."Queue" q WHERE q.id = e.queue_id)
         -- As in the load query: only the range starting last at or below the seq may hold it (a BETWEEN
         -- probes every earlier range: 8 s for 10,000 entries removed one by one, 126 s for 40,000).
         AND NOT EXISTS (SELECT 1
                           FROM (SELECT r.seq_hi FROM warren_cluster.removal r
                                  WHERE r.queue_id = e.queue_id AND r.seq_lo <= e.seq
                                  ORDER BY r.seq_lo DESC LIMIT 1) last
                          WHERE last.seq_hi >= e.seq));
    EXECUTE format('DROP TABLE warren_cluster.%I, warren_cluster.%I', 'entry_' || lpad(oldest::text, 8, '0'), 'removal_' || lpad(oldest::text, 8, '0'));
    DELETE FROM warren_cluster.generation WHERE gen = oldest;
    dropped := dropped || oldest;
  END LOOP;
  RETURN dropped;
END $$;

-- A node's share of the leases whose owner is gone (its incarnation holds no
-- live row): the free leases divided by the live nodes, rounded up, its own
-- name's queues first (a restarted node takes its queues back). Each taken
-- lease's epoch goes up by one. SKIP LOCKED: nodes taking over at once do
-- not wait for each other, nor for a batch that holds a lease's share lock.
-- Durable queues without a lease (made from a console or a definitions
-- import, or before leases existed) are taken the same way, at epoch 1.
CREATE OR REPLACE FUNCTION warren_cluster.take_free_leases(p_node text, p_incarnation bigint)
  RETURNS TABLE (queue_id integer, epoch bigint) LANGUAGE plpgsql AS $$
DECLARE
  share integer;
BEGIN
  INSERT INTO warren_cluster.queue_lease AS l (queue_id, node, incarnation, epoch)
  SELECT q.id, p_node, p_incarnation, 1 FROM public."Queue" q
   WHERE q.durable AND q.type <> 'stream'
     AND NOT EXISTS (SELECT 1 FROM warren_cluster.queue_lease x WHERE x.queue_id = q.id)
  ON CONFLICT DO NOTHING;
  SELECT ceil(count(*)::numeric / greatest(1, (SELECT count(*) FROM warren_cluster.cluster_node
                                               WHERE state = 'running' AND lease_expires_at > now())))
    INTO share
    FROM warren_cluster.queue_lease l
    LEFT JOIN warren_cluster.cluster_node n
           ON n.name = l.node AND n.incarnation = l.incarnation AND n.state = 'running' AND n.lease_expires_at > now()
   WHERE n.name IS NULL;
  RETURN QUERY
  WITH free AS (
    SELECT l.queue_id
      FROM warren_cluster.queue_lease l
      LEFT JOIN warren_cluster.cluster_node n
             ON n.name = l.node AND n.incarnation = l.incarnation AND n.state = 'running' AND n.lease_expires_at > now()
     WHERE n.name IS NULL
     ORDER BY (l.node = p_node) DESC, l.queue_id
     LIMIT share
       FOR UPDATE OF l SKIP LOCKED
  )
  UPDATE warren_cluster.queue_lease l
     SET node = p_node, incarnation = p_incarnation, epoch = l.epoch + 1, acquired_at = now(), takeovers = l.takeovers + 1
    FROM free
   WHERE l.queue_id = free.queue_id
  RETURNING l.queue_id, l.epoch;
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
