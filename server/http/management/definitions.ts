/** /api/definitions: export and import of RabbitMQ's definitions file. */
import { ApiError } from './errors';
import type { Route } from './router';

// TODO: wire exportDefinitions / importDefinitions from server/definitions here.
const notYet = () => {
  throw new ApiError(501, 'not_implemented', 'Definitions export and import over the management API are not available in this build yet.');
};

export const definitionRoutes: Route[] = [
  { method: 'GET', path: '/definitions', need: 'admin', run: notYet },
  { method: 'POST', path: '/definitions', need: 'admin', run: notYet },
  { method: 'GET', path: '/definitions/{vhost}', need: 'admin', run: notYet },
  { method: 'POST', path: '/definitions/{vhost}', need: 'admin', run: notYet },
];
