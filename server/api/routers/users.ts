import { z } from 'zod';
import { USER_TAGS } from '../../auth/users';
import { recordAudit } from '../audit';
import { adminProcedure, router } from '../trpc';

const userName = z
  .string()
  .trim()
  .min(1, 'Give the user a name')
  .max(255, 'User names are at most 255 characters');
const password = z.string().min(1, 'Give a password').max(1024, 'Passwords are at most 1024 characters');
const tags = z.array(z.enum(USER_TAGS)).max(USER_TAGS.length);

export const usersRouter = router({
  /** Every user with their tags, how their password is hashed, and the vhosts they have permissions on. */
  list: adminProcedure.query(async ({ ctx }) => {
    const { users } = ctx.services;
    return (await users.list()).map((u) => ({ ...u, vhosts: users.access.vhostsOf(u.name) }));
  }),

  create: adminProcedure.input(z.object({ name: userName, password, tags })).mutation(async ({ ctx, input }) => {
    await ctx.services.users.create(input.name, { password: input.password }, input.tags);
    await recordAudit(ctx, { action: 'user.create', target: `user '${input.name}'`, details: { tags: input.tags } });
    return { ok: true };
  }),

  setTags: adminProcedure.input(z.object({ name: userName, tags })).mutation(async ({ ctx, input }) => {
    await ctx.services.users.setTags(input.name, input.tags);
    await recordAudit(ctx, { action: 'user.set-tags', target: `user '${input.name}'`, details: { tags: input.tags } });
    return { ok: true };
  }),

  setPassword: adminProcedure.input(z.object({ name: userName, password })).mutation(async ({ ctx, input }) => {
    await ctx.services.users.setPassword(input.name, input.password);
    await recordAudit(ctx, { action: 'user.set-password', target: `user '${input.name}'` });
    return { ok: true };
  }),

  /** Deletes a user: their permissions go, their AMQP connections are closed (320) and their console sessions end. */
  delete: adminProcedure.input(z.object({ name: userName })).mutation(async ({ ctx, input }) => {
    await ctx.services.users.delete(input.name);
    await recordAudit(ctx, { action: 'user.delete', target: `user '${input.name}'` });
    return { ok: true };
  }),
});
