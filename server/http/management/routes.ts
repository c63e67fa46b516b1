/** Every endpoint of the management HTTP API, one group per resource. */
import { bindingRoutes } from './bindings';
import { channelRoutes } from './channels';
import { connectionRoutes } from './connections';
import { consumerRoutes } from './consumers';
import { definitionRoutes } from './definitions';
import { exchangeRoutes } from './exchanges';
import { healthRoutes } from './health';
import { nodeRoutes } from './nodes';
import { overviewRoutes } from './overview';
import { permissionRoutes } from './permissions';
import { policyRoutes } from './policies';
import { queueRoutes } from './queues';
import type { Route } from './router';
import { topicPermissionRoutes } from './topic-permissions';
import { userRoutes } from './users';
import { vhostRoutes } from './vhosts';

export const MANAGEMENT_ROUTES: readonly Route[] = [
  ...overviewRoutes,
  ...nodeRoutes,
  ...vhostRoutes,
  ...userRoutes,
  ...permissionRoutes,
  ...topicPermissionRoutes,
  ...connectionRoutes,
  ...channelRoutes,
  ...consumerRoutes,
  ...exchangeRoutes,
  ...queueRoutes,
  ...bindingRoutes,
  ...policyRoutes,
  ...definitionRoutes,
  ...healthRoutes,
];
