import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { CONDITIONS, CONDITION_INFO } from '../../alerts/conditions';
import { UserError } from '../../auth/users';
import { compileUserPattern, UserPatternError } from '../../broker/patterns/user-pattern';
import { recordAudit } from '../audit';
import { objectName, vhostName } from '../inputs';
import { administratorsOnly, protectedProcedure, router } from '../trpc';

/**
 * Alert rules and webhooks: everyone who may use the console sees them (of
 * the vhosts they see) and what fires; creating, changing and deleting them
 * is for administrators, as the webhooks reach outside the broker. Secrets
 * are never shown again.
 */

const alertAdminProcedure = administratorsOnly('alert rules and webhooks');

const ruleName = z.string().trim().min(1, 'Give the rule a name').max(200, 'Names are at most 200 characters');
const ruleInput = z.object({
  id: z.number().int().optional(),
  vhost: vhostName,
  name: ruleName,
  pattern: z.string().min(1, 'Give a pattern over names, e.g. ^orders$ or \\.dlq$ (.* for every queue)'),
  condition: z.enum(CONDITIONS, { message: `Choose a condition: ${CONDITIONS.join(', ')}` }),
  threshold: z.number({ message: 'Give the threshold as a number, e.g. 1000' }).finite().min(0, 'The threshold cannot be negative: give 0 or more'),
  forSeconds: z
    .number({ message: 'Give the for duration in seconds, e.g. 60 (0: at once)' })
    .int('Give the for duration as whole seconds')
    .min(0, 'The for duration cannot be negative: give 0 (at once) or more seconds')
    .max(86_400, 'The for duration is at most a day (86400 seconds)'),
  webhookId: z.number().int().nullable().default(null),
  /** A webhook of format slack the alert also goes to. */
  slackWebhookId: z.number().int().nullable().default(null),
  enabled: z.boolean().default(true),
});

const webhookInput = z.object({
  id: z.number().int().optional(),
  name: z.string().trim().min(1, 'Give the webhook a name').max(200, 'Names are at most 200 characters'),
  url: z
    .string()
    .trim()
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      message: 'Give the webhook an http:// or https:// address, e.g. https://hooks.example.com/warren',
    }),
  /** Left empty when editing: the secret stays as it was. */
  secret: z.string().max(500, 'A secret is at most 500 characters').default(''),
  format: z.enum(['warren', 'slack']).default('warren'),
});

function checkPattern(pattern: string): void {
  try {
    compileUserPattern(pattern, 'rule pattern');
  } catch (error) {
    if (error instanceof UserPatternError) throw new UserError(error.detail);
    throw error;
  }
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === 'P2002';

export const alertsRouter = router({
  /** What a rule can watch, for the console's form. */
  conditions: protectedProcedure.query(() => CONDITIONS.map((id) => CONDITION_INFO[id])),

  rules: protectedProcedure.query(async ({ ctx }) => ctx.access.visible(await ctx.services.db.prisma.alertRule.findMany({ orderBy: { name: 'asc' } }))),

  /** Creates a rule, or changes the one with `id`; it is evaluated from the next evaluation on. */
  saveRule: alertAdminProcedure.input(ruleInput).mutation(async ({ ctx, input }) => {
    const { prisma } = ctx.services.db;
    checkPattern(input.pattern);
    if (input.webhookId !== null && !(await prisma.alertWebhook.findUnique({ where: { id: input.webhookId } }))) {
      throw new UserError(`There is no webhook ${input.webhookId}: choose one from the list, or none.`);
    }
    if (input.slackWebhookId !== null) {
      const slack = await prisma.alertWebhook.findUnique({ where: { id: input.slackWebhookId } });
      if (slack?.format !== 'slack')
        throw new UserError(`Webhook ${input.slackWebhookId} is not a Slack-compatible webhook: choose one of format slack, or none.`);
    }
    const { id, ...data } = input;
    if (id !== undefined) {
      const existing = await prisma.alertRule.findUnique({ where: { id } });
      if (!existing || existing.vhost !== input.vhost)
        throw new TRPCError({ code: 'NOT_FOUND', message: `There is no alert rule ${id} in vhost '${input.vhost}'.` });
    }
    let rule: { id: number };
    try {
      rule = id === undefined ? await prisma.alertRule.create({ data }) : await prisma.alertRule.update({ where: { id }, data });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserError(`An alert rule named '${input.name}' exists already: choose another name, or edit that rule.`);
      throw error;
    }
    await ctx.services.alerts.reload();
    await recordAudit(ctx, {
      action: id === undefined ? 'alert-rule.create' : 'alert-rule.update',
      target: `alert rule '${input.name}' in vhost '${input.vhost}'`,
      details: data,
    });
    return { id: rule.id };
  }),

  deleteRule: alertAdminProcedure.input(z.object({ vhost: vhostName, id: z.number().int() })).mutation(async ({ ctx, input }) => {
    const { prisma } = ctx.services.db;
    const rule = await prisma.alertRule.findUnique({ where: { id: input.id } });
    if (!rule || rule.vhost !== input.vhost)
      throw new TRPCError({ code: 'NOT_FOUND', message: `There is no alert rule ${input.id} in vhost '${input.vhost}'.` });
    await prisma.alertRule.delete({ where: { id: input.id } });
    await ctx.services.alerts.reload();
    await recordAudit(ctx, { action: 'alert-rule.delete', target: `alert rule '${rule.name}' in vhost '${rule.vhost}'` });
    return { ok: true };
  }),

  /**
   * Webhooks without their secrets, with the outcome of the last notification
   * sent to each. Only administrators see whole addresses: a Slack webhook's
   * address is its credential.
   */
  webhooks: protectedProcedure.query(async ({ ctx }) => {
    const rows = await ctx.services.db.prisma.alertWebhook.findMany({ orderBy: { name: 'asc' } });
    const { lastResults } = ctx.services.alerts.sender;
    return rows.map(({ secret: _secret, ...w }) => ({
      ...w,
      url: ctx.access.isAdministrator ? w.url : `${new URL(w.url).origin}/…`,
      createdAt: w.createdAt.getTime(),
      lastResult: lastResults.get(w.id) ?? null,
    }));
  }),

  saveWebhook: alertAdminProcedure.input(webhookInput).mutation(async ({ ctx, input }) => {
    const { prisma } = ctx.services.db;
    const { id, secret, ...data } = input;
    // Slack-compatible receivers check no signature: a secret is optional there.
    if (id === undefined && input.format === 'warren' && secret.length < 16)
      throw new UserError('Give the webhook a secret of at least 16 characters: the receiver checks signatures with it.');
    if (id !== undefined && secret !== '' && secret.length < 16)
      throw new UserError('A secret has at least 16 characters; leave it empty to keep the current one.');
    let hook: { id: number };
    try {
      hook =
        id === undefined
          ? await prisma.alertWebhook.create({ data: { ...data, secret } })
          : await prisma.alertWebhook.update({ where: { id }, data: secret === '' ? data : { ...data, secret } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserError(`A webhook named '${input.name}' exists already: choose another name, or edit that webhook.`);
      if ((error as { code?: unknown }).code === 'P2025') throw new TRPCError({ code: 'NOT_FOUND', message: `There is no webhook ${id}.` });
      throw error;
    }
    await ctx.services.alerts.reload();
    // The secret is never written to the audit log.
    await recordAudit(ctx, {
      action: id === undefined ? 'alert-webhook.create' : 'alert-webhook.update',
      target: `webhook '${input.name}'`,
      details: { ...data, secretChanged: secret !== '' },
    });
    return { id: hook.id };
  }),

  deleteWebhook: alertAdminProcedure.input(z.object({ id: z.number().int() })).mutation(async ({ ctx, input }) => {
    const { prisma } = ctx.services.db;
    const hook = await prisma.alertWebhook.findUnique({ where: { id: input.id } });
    if (!hook) throw new TRPCError({ code: 'NOT_FOUND', message: `There is no webhook ${input.id}.` });
    const users = await prisma.alertRule.findMany({ where: { OR: [{ webhookId: input.id }, { slackWebhookId: input.id }] }, select: { name: true } });
    if (users.length > 0)
      throw new UserError(`Webhook '${hook.name}' is used by alert rule(s) ${users.map((r) => `'${r.name}'`).join(', ')}: change or delete them first.`);
    await prisma.alertWebhook.delete({ where: { id: input.id } });
    await ctx.services.alerts.reload();
    await recordAudit(ctx, { action: 'alert-webhook.delete', target: `webhook '${hook.name}'` });
    return { ok: true };
  }),

  /** Alerts firing now; of one queue or stream when `vhost` and `name` are given (a stream's groups are "<stream>/<group>"). */
  firing: protectedProcedure
    .input(z.object({ vhost: z.string().optional(), name: objectName.optional(), kind: z.enum(['queue', 'stream']).optional() }).default({}))
    .query(({ ctx, input }) => {
      const all = ctx.access.visible(ctx.services.alerts.firing());
      if (input.vhost === undefined || input.name === undefined) return all;
      return all.filter(
        (a) =>
          a.vhost === input.vhost &&
          (input.kind === 'stream' ? a.objectKind === 'group' && a.object.startsWith(`${input.name}/`) : a.objectKind === 'queue' && a.object === input.name),
      );
    }),

  /** The alerts that fired, newest first, with when they recovered. */
  events: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).default(200) }).default({ limit: 200 }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.services.db.prisma.alertEvent.findMany({ orderBy: { id: 'desc' }, take: input.limit });
      return ctx.access.visible(rows.map((r) => ({ ...r, firedAt: r.firedAt.getTime(), recoveredAt: r.recoveredAt?.getTime() ?? null })));
    }),
});
