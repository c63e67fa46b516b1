// Makes the queue of the kind the declare arguments ask for. `x-queue-type`
// classic (default), quorum and stream are built here; other kinds register
// a maker with registerQueueType, and until then are refused with 406.

import type { Connection } from '../connection';
import { BrokerError, invalidArg, resourceName } from '../errors';
import type { FieldTable } from '../types';
import { ClassicQueue } from './classic-queue';
import type { Queue, QueueHost, QueueSettings } from './queue';
import { parseQueueArguments, type QueueConfig } from './queue-arguments';
import { queueArgumentsWithPolicy, type PolicyDefinition } from '../policy/policy-definition';
import { QuorumQueue } from './quorum-queue';
import { checkStreamDeclare } from '../stream/stream-arguments';
import { StreamQueue } from '../stream/stream-queue';

export type QueueMaker = (host: QueueHost, vhost: string, name: string, settings: QueueSettings, config: QueueConfig, owner: Connection | null) => Queue;

const makers = new Map<string, QueueMaker>([
  ['classic', (...args) => new ClassicQueue(...args)],
  ['quorum', (...args) => new QuorumQueue(...args)],
  ['stream', (...args) => new StreamQueue(...args)],
]);

/** Hook for other queue kinds (the streams work registers 'stream'). */
export function registerQueueType(type: string, maker: QueueMaker): void {
  makers.set(type, maker);
}

/**
 * Validates the arguments (406 with RabbitMQ's texts) and returns the parsed
 * config, with the policy that applies merged in.
 */
export function queueConfigFor(vhost: string, name: string, settings: QueueSettings, policy: PolicyDefinition | null = null): QueueConfig {
  const config = parseQueueArguments(name, vhost, settings.arguments);
  if (config.type === 'quorum') checkQuorum(vhost, name, settings);
  if (config.type === 'stream') checkStreamDeclare(vhost, name, settings);
  if (policy === null) return config;
  const merged = queueArgumentsWithPolicy(name, settings.arguments, policy.definition);
  // A stream reads its limits from the arguments in force (stream-arguments.ts); the classic config has nothing for it.
  return { ...(config.type === 'stream' ? config : parseQueueArguments(name, vhost, merged)), arguments: merged, policy: policy.name };
}

export function createQueue(host: QueueHost, vhost: string, name: string, settings: QueueSettings, config: QueueConfig, owner: Connection | null): Queue {
  const maker = makers.get(config.type);
  if (!maker) {
    throw invalidArg(name, vhost, 'x-queue-type', `"queue type '${config.type}' is not supported yet"`);
  }
  return maker(host, vhost, name, settings, config, owner);
}

function checkQuorum(vhost: string, name: string, settings: QueueSettings): void {
  const refuse = (property: string) => new BrokerError('PRECONDITION_FAILED', `invalid property '${property}' for ${resourceName('queue', name, vhost)}`);
  if (!settings.durable) throw refuse('non-durable');
  if (settings.exclusive) throw refuse('exclusive-owner');
  if (settings.autoDelete) throw refuse('auto-delete');
  const args: FieldTable = settings.arguments;
  if (args['x-overflow'] === 'reject-publish-dlx') {
    throw invalidArg(name, vhost, 'x-overflow', `"reject-publish-dlx is not supported by quorum queues"`);
  }
}
