/**
 * tRPC set-up for the console's API, in three parts:
 * 1. the context every procedure receives (the broker facade and the services beside it),
 * 2. initialisation, with an error formatter that hands zod's messages to the console,
 * 3. the procedures routers are built from.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { BrokerError } from '../broker/errors';
import { UserError, type SignedInUser } from '../auth/users';
import type { Services } from '../services';
import { consoleAccess, refusals, type ConsoleAccess } from './console-access';

// 1. Context
export interface ApiContext {
  services: Services;
  /** The signed-in console user (from the session cookie), or null. */
  user: SignedInUser | null;
  /** The request's Cookie header: sign-out revokes its session, live streams re-check it. */
  cookie?: string;
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
  if (!result.ok && result.error.cause instanceof UserError) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: result.error.cause.message, cause: result.error.cause });
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

/** The signed-in user as they are now: a session whose user was deleted or signed out is over. */
function currentUser(ctx: ApiContext): SignedInUser | null {
  if (ctx.cookie === undefined) return ctx.user; // callers made in tests
  const name = ctx.services.sessions.read(ctx.cookie);
  return name === null ? null : ctx.services.users.get(name);
}

/** Ends a live stream once its user is signed out or deleted (checked before each value). */
async function* whileSignedIn<T>(ctx: ApiContext, values: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const value of values) {
    if (!currentUser(ctx)) return;
    yield value;
  }
}

const consoleUser = t.middleware(async ({ ctx, type, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to use the console.' });
  const access = consoleAccess(ctx.user, ctx.services.broker.access);
  if (!access.signedIn) {
    throw new TRPCError({ code: 'FORBIDDEN', message: refusals.noConsoleTag(ctx.user.name) });
  }
  const result = await next({ ctx: { ...ctx, user: ctx.user, access } });
  if (type === 'subscription' && result.ok) return { ...result, data: whileSignedIn(ctx, result.data as AsyncIterable<unknown>) };
  return result;
});

/** The vhost an input names, if any: what the scope checks look at. */
async function inputVhost(getRawInput: () => Promise<unknown>): Promise<string | undefined> {
  const raw = await getRawInput();
  const vhost = typeof raw === 'object' && raw !== null ? (raw as { vhost?: unknown }).vhost : undefined;
  return typeof vhost === 'string' ? vhost : undefined;
}

function refuse(message: string): never {
  throw new TRPCError({ code: 'FORBIDDEN', message });
}

/** Reads need the vhost to be visible; changes need the right to change it (monitoring changes nothing). */
const vhostScope = t.middleware(async ({ ctx, type, getRawInput, next }) => {
  const access = (ctx as ApiContext & { access: ConsoleAccess }).access;
  const vhost = await inputVhost(getRawInput);
  if (type === 'mutation') {
    if (!access.changes) refuse(refusals.onlyLooks(access.user));
    if (vhost !== undefined && !access.canChange(vhost)) refuse(refusals.noPermission(access.user, vhost));
  } else if (vhost !== undefined && !access.canSee(vhost)) {
    refuse(refusals.noPermission(access.user, vhost));
  }
  return next();
});

/**
 * Procedures for signed-in console users; `ctx.user` and `ctx.access` are then
 * set. Queries and subscriptions read, mutations change: an input's `vhost`
 * is checked against what the user may see or change, and lists without one
 * are narrowed with `ctx.access.visible(...)`.
 */
export const protectedProcedure = publicProcedure.use(consoleUser).use(vhostScope).use(changesStored);

/** Policies: changing them needs the policymaker (or administrator) tag on the vhost. */
export const policyProcedure = protectedProcedure.use(async ({ ctx, type, getRawInput, next }) => {
  const vhost = await inputVhost(getRawInput);
  if (type === 'mutation' && (vhost === undefined || !ctx.access.canSetPolicies(vhost))) {
    refuse(refusals.noPolicies(ctx.access.user, vhost));
  }
  return next();
});

/** Broker-wide figures (the overview's charts, process figures): for users who see every vhost. */
export const overviewProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.access.seesAll) refuse(refusals.notAllVhosts());
  return next();
});

/** Procedures for administrators only; `what` names them in the refusal. */
export const administratorsOnly = (what: string) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!ctx.access.isAdministrator) refuse(refusals.notAdministrator(ctx.access.user, what));
    return next();
  });

/** Users, vhosts and permissions: administrators only. */
export const adminProcedure = administratorsOnly('users, vhosts and permissions');
