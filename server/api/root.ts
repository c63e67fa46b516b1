/** The console's API: one router per area. */
import { queuesRouter } from './routers/queues';
import { systemRouter } from './routers/system';
import { router } from './trpc';

export const appRouter = router({
  system: systemRouter,
  queues: queuesRouter,
});

export type AppRouter = typeof appRouter;
