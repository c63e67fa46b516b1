import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { Sessions } from '../../auth/sessions';
import { publicProcedure, router } from '../trpc';

export const authRouter = router({
  /** Who is signed in, or null: the console sends people to the sign-in page on null. */
  me: publicProcedure.query(({ ctx }) => ctx.user),

  signIn: publicProcedure
    .input(z.object({ name: z.string().min(1, 'Give your user name').max(255), password: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.users.authenticate(input.name, input.password, ctx.peerAddress);
      if (!result.ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: `Sign-in refused: ${result.reason}.` });
      ctx.setCookie(ctx.services.sessions.issue(result.user));
      return result.user;
    }),

  signOut: publicProcedure.mutation(({ ctx }) => {
    ctx.setCookie(Sessions.clear());
    return { ok: true };
  }),
});
