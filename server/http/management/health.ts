/** /api/healthchecks/node and /api/aliveness-test/{vhost}: the checks load balancers and monitors call. */
import { withConsoleChannel } from '../../api/console-session';
import { ApiError } from './errors';
import { ok, type ApiCall, type Route } from './router';

/** Healthy unless a resource alarm blocks publishers (RabbitMQ's node check answers 503 then). */
function node({ services }: ApiCall) {
  const alarms = services.alarms();
  if (alarms.length > 0) throw new ApiError(503, 'failed', `resource alarm in effect: ${alarms.map((a) => `${a.source} (${a.reason})`).join('; ')}`);
  return ok({ status: 'ok' });
}

/** Declares the aliveness-test queue in the vhost, publishes a message to it and gets it back, as RabbitMQ does. */
function aliveness({ services, user, params }: ApiCall<'vhost'>) {
  const { broker } = services;
  broker.declareQueue(params.vhost, 'aliveness-test', { durable: false });
  broker.publish(params.vhost, '', 'aliveness-test', { contentType: 'text/plain' }, Buffer.from('test_message'));
  const got = withConsoleChannel(services, params.vhost, user.name, (channel) => channel.get('aliveness-test', true));
  if (got?.message.body.toString() !== 'test_message')
    throw new ApiError(503, 'failed', `the test message did not come back from queue 'aliveness-test' in vhost '${params.vhost}'`);
  return ok({ status: 'ok' });
}

export const healthRoutes: Route[] = [
  { method: 'GET', path: '/healthchecks/node', need: 'read', run: node },
  { method: 'GET', path: '/aliveness-test/{vhost}', need: 'change', run: aliveness },
];
