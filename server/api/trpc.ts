/**
 * tRPC set-up for the console's API, in three parts:
 * 1. the context every procedure receives (the broker facade and the services beside it),
 * 2. initialisation, with an error formatter that hands zod's messages to the console,
 * 3. the procedures routers are built from.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { BrokerError } from '../broker/errors';
import type { Services } from '../services';

// 1. Context
export interface ApiContext {
  services: Services;
  /** Who is asking, as recorded in the audit log. Until sign-in exists, every console user is 'console'. */
  user: string;
}

/** "headers #2 value" rather than "headers.1.value": what a person reads on a form. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `#${p + 1}` : String(p))).join(' ');
}

// 2. Initialisation
const t = initTRPC.context<ApiContext>().create({
  sse: {
    // Keep live streams alive through proxies; the client reconnects by itself.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 20_000 },
  },
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? zodError.issues.map((i) => `${fieldPath(i.path) || 'input'}: ${i.message}`).join('; ') : shape.message,
    };
  },
});

// 3. Procedures
export const router = t.router;

const TRPC_CODE: Record<number, TRPCError['code']> = {
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'CONFLICT',
  406: 'PRECONDITION_FAILED',
};

/** The engine's refusals reach the console with their own words and a matching HTTP status. */
const brokerErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof BrokerError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.replyCode] ?? 'BAD_REQUEST', message: cause.replyText, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(brokerErrors);
