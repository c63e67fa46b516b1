/** How a report names the objects of a definitions file, in RabbitMQ's words: "queue 'q' in vhost '/'". */
import type { Section } from './format';
import type { ObjectKind } from './report';

export const KIND_OF: Record<Section, ObjectKind> = {
  users: 'user',
  vhosts: 'vhost',
  permissions: 'permission',
  topic_permissions: 'topic permission',
  parameters: 'parameter',
  global_parameters: 'global parameter',
  policies: 'policy',
  queues: 'queue',
  exchanges: 'exchange',
  bindings: 'binding',
};

type Loose = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : String(value ?? '?'));
const inVhost = (o: Loose) => (o.vhost === undefined ? '' : ` in vhost '${text(o.vhost)}'`);

/** The name of one entry of a section; works on entries that failed validation too. */
export function objectName(section: Section, entry: unknown): string {
  const o = (typeof entry === 'object' && entry !== null ? entry : {}) as Loose;
  switch (section) {
    case 'users':
      return `user '${text(o.name)}'`;
    case 'vhosts':
      return `vhost '${text(o.name)}'`;
    case 'permissions':
      return `permission of user '${text(o.user)}' on vhost '${text(o.vhost)}'`;
    case 'topic_permissions':
      return `topic permission of user '${text(o.user)}' on exchange '${text(o.exchange)}'${inVhost(o)}`;
    case 'parameters':
      return `parameter '${text(o.name)}' of ${text(o.component)}${inVhost(o)}`;
    case 'global_parameters':
      return `global parameter '${text(o.name)}'`;
    case 'policies':
      return `policy '${text(o.name)}'${inVhost(o)}`;
    case 'queues':
      return `queue '${text(o.name)}'${inVhost(o)}`;
    case 'exchanges':
      return `exchange '${text(o.name)}'${inVhost(o)}`;
    case 'bindings':
      return `binding of ${text(o.destination_type)} '${text(o.destination)}' to exchange '${text(o.source)}' with routing key '${text(o.routing_key ?? '')}'${inVhost(o)}`;
  }
}
