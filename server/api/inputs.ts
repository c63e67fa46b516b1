/** zod shapes shared by several routers. */
import { z } from 'zod';
import { shortStringProblem } from '../broker/short-string';

/** Text that AMQP carries as a short string, held to the engine's rule (broker/short-string.ts). */
export function shortString(what: string) {
  return z.string().superRefine((value, ctx) => {
    const problem = shortStringProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });
}

export const vhostName = shortString('The vhost name').min(1, 'Give a vhost, e.g. /');
export const objectName = shortString('The name');
export const queueRef = z.object({ vhost: vhostName, name: objectName.min(1, 'Give a queue name') });

/** Header values typed in the console: text, or a number or boolean when chosen. */
export const headerRows = z
  .array(
    z
      .object({
        key: shortString('The header name').min(1, 'A header needs a name'),
        value: z.string(),
        type: z.enum(['string', 'number', 'boolean']).default('string'),
      })
      .refine((r) => r.type !== 'number' || (r.value.trim() !== '' && Number.isFinite(Number(r.value))), {
        message: 'This header is typed as a number: give digits, e.g. 3 or 2.5',
        path: ['value'],
      }),
  )
  .default([]);

export function headersFromRows(rows: z.infer<typeof headerRows>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    if (r.type === 'number') out[r.key] = Number(r.value);
    else if (r.type === 'boolean') out[r.key] = r.value === 'true';
    else out[r.key] = r.value;
  }
  return out;
}

export const messageProperties = z
  .object({
    contentType: shortString('The content type').optional(),
    contentEncoding: shortString('The content encoding').optional(),
    deliveryMode: z.union([z.literal(1), z.literal(2)]).optional(),
    priority: z.number().int().min(0).max(255).optional(),
    correlationId: shortString('The correlation id').optional(),
    replyTo: shortString('Reply-to').optional(),
    expiration: z.string().regex(/^\d+$/, 'Expiration is a number of milliseconds, e.g. 60000').optional(),
    messageId: shortString('The message id').optional(),
    type: shortString('The type').optional(),
    appId: shortString('The app id').optional(),
  })
  .default({});
