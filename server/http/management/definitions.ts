/**
 * /api/definitions: RabbitMQ's definitions file, exported (everything, or one
 * vhost's policies, queues, exchanges and bindings) and imported all or
 * nothing, through the same code as the console's Definitions page.
 */
import { importDefinitionsFile } from '../../api/changes';
import { exportDefinitions } from '../../definitions/export';
import { ApiError } from './errors';
import { noContent, ok, type ApiCall, type Route } from './router';

async function exportFile({ services, params }: ApiCall) {
  if (params.vhost !== undefined && !services.broker.hasVhost(params.vhost)) throw new ApiError(404, 'Object Not Found', `no vhost '${params.vhost}'`);
  return ok(await exportDefinitions(services, params.vhost));
}

/** As RabbitMQ: 204 when applied; a file that does not validate changes nothing and answers 400 with its report's errors. */
async function importFile({ actor, params, body }: ApiCall) {
  const report = await importDefinitionsFile(actor, JSON.stringify(body), params.vhost);
  if (!report.applied) {
    const errors = report.lines.filter((l) => l.outcome === 'error').map((l) => `${l.object}: ${l.detail ?? 'refused'}`);
    throw new ApiError(400, 'bad_request', `nothing was imported: ${errors.join('; ') || 'the file did not validate'}`);
  }
  return noContent();
}

export const definitionRoutes: Route[] = [
  { method: 'GET', path: '/definitions', need: 'admin', run: exportFile },
  { method: 'POST', path: '/definitions', need: 'admin', run: importFile },
  { method: 'GET', path: '/definitions/{vhost}', need: 'admin', run: exportFile },
  { method: 'POST', path: '/definitions/{vhost}', need: 'admin', run: importFile },
];
