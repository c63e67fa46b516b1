import { z } from 'zod';
import { compilePermission } from '../../broker/access/access-control';
import { clearPermission, setPermission } from '../changes';
import { vhostName } from '../inputs';
import { adminProcedure, router } from '../trpc';

const patterns = z.object({
  configure: z.string().max(1000, 'Patterns are at most 1000 characters'),
  write: z.string().max(1000, 'Patterns are at most 1000 characters'),
  read: z.string().max(1000, 'Patterns are at most 1000 characters'),
});
const userName = z.string().min(1, 'Choose a user').max(255);

/** What each permission lets a user do with a queue or exchange whose name it matches. */
const OPERATIONS = {
  configure: ['declare or delete the queue', 'declare or delete the exchange'],
  write: ['publish to the exchange', 'bind the queue (or exchange) to an exchange'],
  read: ['consume from or get from the queue', 'purge the queue', 'bind from the exchange'],
} as const;

export const permissionsRouter = router({
  /** Every user × vhost permission. */
  list: adminProcedure.query(({ ctx }) => ctx.services.users.access.list()),

  set: adminProcedure.input(patterns.extend({ user: userName, vhost: vhostName })).mutation(async ({ ctx, input }) => {
    const { user, vhost, ...p } = input;
    await setPermission(ctx, user, vhost, p);
    return { ok: true };
  }),

  clear: adminProcedure.input(z.object({ user: userName, vhost: vhostName })).mutation(async ({ ctx, input }) => {
    await clearPermission(ctx, input.user, input.vhost);
    return { ok: true };
  }),

  /** "Test this name": which operations the three patterns allow on a queue or exchange of that name (406 naming a bad pattern). */
  test: adminProcedure.input(patterns.extend({ name: z.string().max(255) })).query(({ input }) => {
    const { name, ...p } = input;
    const grant = compilePermission(p);
    const matches = (kind: 'configure' | 'write' | 'read') => grant[kind].test(name);
    return (['configure', 'write', 'read'] as const).map((kind) => ({ permission: kind, matches: matches(kind), operations: [...OPERATIONS[kind]] }));
  }),
});
