import { z } from 'zod';
import { USER_TAGS } from '../../auth/users';
import { createUser, deleteUser, setUserPassword, setUserTags } from '../changes';
import { adminProcedure, router } from '../trpc';

const userName = z.string().trim().min(1, 'Give the user a name').max(255, 'User names are at most 255 characters');
const password = z.string().min(1, 'Give a password').max(1024, 'Passwords are at most 1024 characters');
const tags = z.array(z.enum(USER_TAGS)).max(USER_TAGS.length);

export const usersRouter = router({
  /** Every user with their tags, how their password is hashed, and the vhosts they have permissions on. */
  list: adminProcedure.query(async ({ ctx }) => {
    const { users } = ctx.services;
    return (await users.list()).map((u) => ({ ...u, vhosts: users.access.vhostsOf(u.name) }));
  }),

  create: adminProcedure.input(z.object({ name: userName, password, tags })).mutation(async ({ ctx, input }) => {
    await createUser(ctx, input.name, { password: input.password }, input.tags);
    return { ok: true };
  }),

  setTags: adminProcedure.input(z.object({ name: userName, tags })).mutation(async ({ ctx, input }) => {
    await setUserTags(ctx, input.name, input.tags);
    return { ok: true };
  }),

  setPassword: adminProcedure.input(z.object({ name: userName, password })).mutation(async ({ ctx, input }) => {
    await setUserPassword(ctx, input.name, input.password);
    return { ok: true };
  }),

  delete: adminProcedure.input(z.object({ name: userName })).mutation(async ({ ctx, input }) => {
    await deleteUser(ctx, input.name);
    return { ok: true };
  }),
});
