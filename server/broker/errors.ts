// The one error type of the engine. Every refusal carries the AMQP reply code,
// RabbitMQ's reply text ("NOT_FOUND - no queue 'x' in vhost '/'"), and whether
// the transport must close the channel or the whole connection.

import { fieldTypeName } from './field-values';

export const ReplyCode = {
  CONTENT_TOO_LARGE: 311,
  NO_ROUTE: 312,
  NO_CONSUMERS: 313,
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  FRAME_ERROR: 501,
  SYNTAX_ERROR: 502,
  COMMAND_INVALID: 503,
  CHANNEL_ERROR: 504,
  UNEXPECTED_FRAME: 505,
  RESOURCE_ERROR: 506,
  NOT_ALLOWED: 530,
  NOT_IMPLEMENTED: 540,
  INTERNAL_ERROR: 541,
} as const;

export type ReplyCodeName = keyof typeof ReplyCode;
export type ErrorScope = 'channel' | 'connection';

export class BrokerError extends Error {
  /** AMQP reply code, e.g. 404. */
  readonly replyCode: number;
  /** RabbitMQ-style reply text, e.g. "NOT_FOUND - no queue 'x' in vhost '/'". */
  readonly replyText: string;
  /** What the AMQP layer must close: the channel (channel.close) or the connection. */
  readonly scope: ErrorScope;

  constructor(name: ReplyCodeName, detail: string, scope: ErrorScope = 'channel') {
    const replyText = `${name} - ${detail}`;
    super(replyText);
    this.name = 'BrokerError';
    this.replyCode = ReplyCode[name];
    this.replyText = replyText;
    this.scope = scope;
  }
}

/** "queue 'x' in vhost '/'" — RabbitMQ's resource naming used in most texts. */
export function resourceName(kind: 'queue' | 'exchange', name: string, vhost: string): string {
  return `${kind} '${name}' in vhost '${vhost}'`;
}

export function notFound(kind: 'queue' | 'exchange', name: string, vhost: string): BrokerError {
  return new BrokerError('NOT_FOUND', `no ${resourceName(kind, name, vhost)}`);
}

export function resourceLocked(queue: string, vhost: string): BrokerError {
  return new BrokerError(
    'RESOURCE_LOCKED',
    `cannot obtain exclusive access to locked ${resourceName('queue', queue, vhost)}. ` +
      'It could be originally declared on another connection or the exclusive property ' +
      'value does not match that of the original declaration.',
  );
}

/** RabbitMQ's rendering of a property value: 'true', 'direct'. */
export function quoted(value: unknown): string {
  return `'${String(value)}'`;
}

/** RabbitMQ's rendering of a declare argument: "the value '5' of type 'long'" or "none". */
export function argumentValue(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  return `the value '${typeof value === 'object' ? JSON.stringify(value) : String(value)}' of type '${fieldTypeName(value)}'`;
}

/** Redeclare with a different property or argument; pass rendered values (quoted / argumentValue). */
export function inequivalentArg(kind: 'queue' | 'exchange', name: string, vhost: string, arg: string, received: string, current: string): BrokerError {
  return new BrokerError(
    'PRECONDITION_FAILED',
    `inequivalent arg '${arg}' for ${resourceName(kind, name, vhost)}: ` + `received ${received} but current is ${current}`,
  );
}

/** A declare argument with a bad value, e.g. "{value_negative,-1}". */
export function invalidArg(queue: string, vhost: string, arg: string, reason: string): BrokerError {
  return new BrokerError('PRECONDITION_FAILED', `invalid arg '${arg}' for ${resourceName('queue', queue, vhost)}: ${reason}`);
}

export function unknownDeliveryTag(tag: number): BrokerError {
  return new BrokerError('PRECONDITION_FAILED', `unknown delivery tag ${tag}`);
}
