/**
 * RabbitMQ's definitions file, as `rabbitmqctl export_definitions` and
 * `GET /api/definitions` of RabbitMQ 3.x write it: one JSON object of lists
 * (users, vhosts, permissions, topic_permissions, parameters,
 * global_parameters, policies, queues, exchanges, bindings) beside the
 * version fields. A per-vhost export (`GET /api/definitions/{vhost}`) has the
 * same lists without `vhost` fields on the objects, and no users, vhosts or
 * permissions. Fields RabbitMQ writes that Warren has no use for are
 * accepted here; anything else is an unknown field.
 */
import { z } from 'zod';

/** An AMQP field table as JSON: arguments of queues, exchanges and bindings. */
const table = z.record(z.string(), z.unknown());
/** RabbitMQ 3.x writes tags as a list; older files as one comma-separated string. */
const tags = z.union([z.array(z.string()), z.string()]);
/** User and vhost limits (max-connections, max-queues, ...): Warren has none yet. */
const limits = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);

const user = z.strictObject({
  name: z.string(),
  password_hash: z.string().optional(),
  /** A clear-text password, which RabbitMQ's import also accepts instead of a hash. */
  password: z.string().optional(),
  hashing_algorithm: z.string().optional(),
  tags: tags.optional(),
  limits: limits.optional(),
});

const vhost = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  tags: tags.optional(),
  default_queue_type: z.string().optional(),
  metadata: z.strictObject({ description: z.string().optional(), tags: tags.optional(), default_queue_type: z.string().optional() }).optional(),
  limits: limits.optional(),
});

const permission = z.strictObject({ user: z.string(), vhost: z.string(), configure: z.string(), write: z.string(), read: z.string() });

const topicPermission = z.strictObject({ user: z.string(), vhost: z.string(), exchange: z.string(), write: z.string(), read: z.string() });

const parameter = z.strictObject({ vhost: z.string().optional(), component: z.string(), name: z.string(), value: z.unknown() });

const globalParameter = z.strictObject({ name: z.string(), value: z.unknown() });

const policy = z.strictObject({
  vhost: z.string().optional(),
  name: z.string(),
  pattern: z.string(),
  'apply-to': z.string().default('all'),
  definition: table,
  priority: z.number().int().default(0),
});

const queue = z.strictObject({
  vhost: z.string().optional(),
  name: z.string(),
  /** RabbitMQ 3.10+ writes the queue type here as well as in `x-queue-type`. */
  type: z.string().optional(),
  durable: z.boolean().default(true),
  auto_delete: z.boolean().default(false),
  arguments: table.default({}),
});

const exchange = z.strictObject({
  vhost: z.string().optional(),
  name: z.string(),
  type: z.string(),
  durable: z.boolean().default(true),
  auto_delete: z.boolean().default(false),
  internal: z.boolean().default(false),
  arguments: table.default({}),
});

const binding = z.strictObject({
  vhost: z.string().optional(),
  source: z.string(),
  destination: z.string(),
  destination_type: z.enum(['queue', 'exchange']),
  routing_key: z.string().default(''),
  arguments: table.default({}),
});

/** Each list's entries, checked one by one (so that a large file can be checked in slices). */
export const ENTRY = {
  users: user,
  vhosts: vhost,
  permissions: permission,
  topic_permissions: topicPermission,
  parameters: parameter,
  global_parameters: globalParameter,
  policies: policy,
  queues: queue,
  exchanges: exchange,
  bindings: binding,
};

/** The file's top level: version fields and lists, entries not yet checked. */
export const fileShape = z.strictObject({
  rabbit_version: z.string().optional(),
  rabbitmq_version: z.string().optional(),
  product_name: z.string().optional(),
  product_version: z.string().optional(),
  ...(Object.fromEntries(Object.keys(ENTRY).map((section) => [section, z.array(z.unknown()).default([])])) as Record<
    keyof typeof ENTRY,
    z.ZodDefault<z.ZodArray<z.ZodUnknown>>
  >),
});

export type DefinitionsFile = { rabbit_version?: string; rabbitmq_version?: string } & { [S in keyof typeof ENTRY]: z.infer<(typeof ENTRY)[S]>[] };
export type UserDefinition = z.infer<typeof user>;
export type VhostDefinition = z.infer<typeof vhost>;
export type PermissionDefinition = z.infer<typeof permission>;
export type TopicPermissionDefinition = z.infer<typeof topicPermission>;
export type PolicyFileEntry = z.infer<typeof policy>;
export type QueueDefinition = z.infer<typeof queue>;
export type ExchangeDefinition = z.infer<typeof exchange>;
export type BindingDefinition = z.infer<typeof binding>;

/** The lists of a file, in the order RabbitMQ imports them. */
export const SECTIONS = [
  'users',
  'vhosts',
  'permissions',
  'topic_permissions',
  'parameters',
  'global_parameters',
  'policies',
  'queues',
  'exchanges',
  'bindings',
] as const;
export type Section = (typeof SECTIONS)[number];

/** The `hashing_algorithm` Warren writes for its own scrypt hashes (RabbitMQ has no such module). */
export const WARREN_SCRYPT = 'warren_password_hashing_scrypt';
