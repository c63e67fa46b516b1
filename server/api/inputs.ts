/** zod shapes shared by several routers. */
import { z } from 'zod';

export const vhostName = z.string().min(1, 'Give a vhost, e.g. /').max(255);
export const objectName = z.string().max(255, 'Names are at most 255 characters');
export const queueRef = z.object({ vhost: vhostName, name: objectName.min(1, 'Give a queue name') });

/** Header values typed in the console: text, or a number or boolean when chosen. */
export const headerRows = z
  .array(
    z
      .object({ key: z.string().min(1, 'A header needs a name'), value: z.string(), type: z.enum(['string', 'number', 'boolean']).default('string') })
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
    contentType: z.string().max(255).optional(),
    contentEncoding: z.string().max(255).optional(),
    deliveryMode: z.union([z.literal(1), z.literal(2)]).optional(),
    priority: z.number().int().min(0).max(255).optional(),
    correlationId: z.string().max(255).optional(),
    replyTo: z.string().max(255).optional(),
    expiration: z
      .string()
      .regex(/^\d+$/, 'Expiration is a number of milliseconds, e.g. 60000')
      .optional(),
    messageId: z.string().max(255).optional(),
    type: z.string().max(255).optional(),
    appId: z.string().max(255).optional(),
  })
  .default({});
