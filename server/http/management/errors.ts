/**
 * The management API's refusals in RabbitMQ's shape, {"error": ..., "reason": ...},
 * with its status codes: 400 bad_request, 401 not_authorised (RabbitMQ answers
 * 401 for a missing tag or permission too), 404 Object Not Found, 405, 501.
 * Engine and user-store refusals keep their own words as the reason.
 */
import { BrokerError } from '../../broker/errors';
import { UserError } from '../../auth/users';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const badRequest = (reason: string) => new ApiError(400, 'bad_request', reason);
export const notAuthorised = (reason: string) => new ApiError(401, 'not_authorised', reason);
export const notFound = (reason: string) => new ApiError(404, 'Object Not Found', reason);

/** "NOT_FOUND - no queue 'q' in vhost '/'" → "no queue 'q' in vhost '/'": RabbitMQ's HTTP reasons carry no AMQP code name. */
function withoutCodeName(replyText: string): string {
  return replyText.replace(/^[A-Z_]+ - /, '');
}

/** The answer for anything a handler threw; null for a fault of Warren's own (answered 500 by the router). */
export function apiErrorOf(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof BrokerError) {
    const reason = withoutCodeName(error.replyText);
    if (error.replyCode === 404) return notFound(reason);
    if (error.replyCode === 403) return notAuthorised(reason);
    return badRequest(reason);
  }
  if (error instanceof UserError) return badRequest(error.message);
  return null;
}
