import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { Sessions } from '../../auth/sessions';
import { consoleAccess } from '../console-access';
import type { SignedInUser } from '../../auth/users';
import type { Services } from '../../services';
import { publicProcedure, router } from '../trpc';

/** A signed-in user with what they may do: the console hides what the server would refuse. */
function describe(user: SignedInUser, services: Services) {
  const access = consoleAccess(user, services.broker.access);
  const vhosts = access.visibleVhosts(services.broker.listVhosts());
  return {
    name: user.name,
    tags: user.tags,
    isAdministrator: access.isAdministrator,
    seesAll: access.seesAll,
    /** Vhosts the user sees, and those where they may change things and set policies. */
    vhosts,
    changeVhosts: vhosts.filter((v) => access.canChange(v)),
    policyVhosts: vhosts.filter((v) => access.canSetPolicies(v)),
  };
}

export const authRouter = router({
  /** Who is signed in and what they may do, or null: the console then sends people to the sign-in page. */
  me: publicProcedure.query(({ ctx }) => (ctx.user ? describe(ctx.user, ctx.services) : null)),

  signIn: publicProcedure
    .input(z.object({ name: z.string().min(1, 'Give your user name').max(255), password: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.users.authenticate(input.name, input.password, ctx.peerAddress);
      if (!result.ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: `Sign-in refused: ${result.reason}.` });
      if (!consoleAccess(result.user, ctx.services.broker.access).signedIn) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: `Sign-in refused: user '${result.user.name}' has no console tag; an administrator can give it monitoring, management, policymaker or administrator.`,
        });
      }
      ctx.setCookie(ctx.services.sessions.issue(result.user.name));
      return describe(result.user, ctx.services);
    }),

  /** Ends the session on the server too: its cookie stops working even if kept. */
  signOut: publicProcedure.mutation(({ ctx }) => {
    ctx.services.sessions.revoke(ctx.cookie);
    ctx.setCookie(Sessions.clear());
    return { ok: true };
  }),
});
