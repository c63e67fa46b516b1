import { z } from 'zod';
import { exportDefinitions } from '../../definitions/export';
import { importDefinitions } from '../../definitions/import';
import { importDefinitionsFile } from '../changes';
import { adminProcedure, router } from '../trpc';

/** The text of a definitions file; its size is held by WARREN_DEFINITIONS_MAX_BODY (http/request-guard.ts). */
const file = z.object({ text: z.string().min(1, 'Choose a definitions file (JSON)'), vhost: z.string().min(1).optional() });

/** Definitions in RabbitMQ's format: users (with password hashes), vhosts and permissions are in them, so administrators only. */
export const definitionsRouter = router({
  /** Everything, or one vhost's policies, queues, exchanges and bindings (RabbitMQ's per-vhost form). */
  export: adminProcedure.input(z.object({ vhost: z.string().min(1).optional() })).query(({ ctx, input }) => exportDefinitions(ctx.services, input.vhost)),

  /** The report an import would give, changing nothing. */
  preview: adminProcedure.input(file).mutation(({ ctx, input }) => importDefinitions(ctx.services, input.text, { apply: false, vhost: input.vhost })),

  /** Validates the whole file, then makes all of it or none of it; answers with the report. */
  import: adminProcedure.input(file).mutation(({ ctx, input }) => importDefinitionsFile(ctx, input.text, input.vhost)),
});
