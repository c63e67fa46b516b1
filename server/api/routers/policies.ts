import { z } from 'zod';
import { POLICY_KEYS } from '../../broker/policy/policy-definition';
import { deletePolicy, setPolicy } from '../changes';
import { vhostName } from '../inputs';
import { policyProcedure, protectedProcedure, router } from '../trpc';

const policyName = z.string().trim().min(1, 'Give the policy a name').max(255, 'Names are at most 255 characters');
const policyValue = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);

export const policiesRouter = router({
  /** Every policy (of one vhost, or all), highest priority first, with how many queues and exchanges it applies to. */
  list: protectedProcedure
    .input(z.object({ vhost: z.string().optional() }))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.listPolicies(input.vhost))),

  /** The keys a policy may set, with their kind of value and what they do (for the console's form). */
  keys: protectedProcedure.query(() => POLICY_KEYS.map((k) => ({ ...k }))),

  /** Adds or replaces a policy; it applies at once to every queue or exchange it matches. */
  set: policyProcedure
    .input(
      z.object({
        vhost: vhostName,
        name: policyName,
        pattern: z.string().min(1, 'Give a pattern: a regular expression over names, e.g. ^orders\\. or .*').max(1000),
        applyTo: z.enum(['queues', 'exchanges', 'all']),
        priority: z.number().int('Priority is a whole number, e.g. 0 or 10').min(-1000).max(1000),
        definition: z.record(z.string(), policyValue),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { vhost, ...policy } = input;
      await setPolicy(ctx, vhost, policy);
      return { ok: true };
    }),

  delete: policyProcedure.input(z.object({ vhost: vhostName, name: policyName })).mutation(async ({ ctx, input }) => {
    await deletePolicy(ctx, input.vhost, input.name);
    return { ok: true };
  }),
});
