/**
 * tRPC set-up for the console's API, in three parts:
 * 1. the context every procedure receives (the broker facade and the services beside it),
 * 2. initialisation, with an error formatter that hands zod's messages to the console,
 * 3. the procedures routers are built from.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { BrokerError } from '../broker/errors';
import type { SignedInUser } from '../auth/users';
import type { Services } from '../services';

// 1. Context
export interface ApiContext {
  services: Services;
  /** The signed-in console user (from the session cookie), or null. */
  user: SignedInUser | null;
  /** The HTTP client's address: guest may only sign in from loopback. */
  peerAddress: string;
  /** Sets a cookie on the response (sign-in and sign-out). */
  setCookie(value: string): void;
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

/** A change made from the console is answered once it is on disk, as the AMQP replies are. */
const changesStored = t.middleware(async ({ ctx, type, next }) => {
  const result = await next();
  if (type === 'mutation' && result.ok) await ctx.services.broker.stored();
  return result;
});

/** Procedures for signed-in users only; `ctx.user` is then always set. */
export const protectedProcedure = publicProcedure
  .use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to use the console.' });
    return next({ ctx: { ...ctx, user: ctx.user } });
  })
  .use(changesStored);
