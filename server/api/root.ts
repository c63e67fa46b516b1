/** The console's API: one router per area. */
import { attentionRouter } from './routers/attention';
import { alertsRouter } from './routers/alerts';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { bindingsRouter } from './routers/bindings';
import { connectionsRouter } from './routers/connections';
import { deadLettersRouter } from './routers/dead-letters';
import { definitionsRouter } from './routers/definitions';
import { exchangesRouter } from './routers/exchanges';
import { journeysRouter } from './routers/journeys';
import { historyRouter } from './routers/history';
import { lagRouter } from './routers/lag';
import { messagesRouter } from './routers/messages';
import { operationsRouter } from './routers/operations';
import { permissionsRouter } from './routers/permissions';
import { policiesRouter } from './routers/policies';
import { publishRouter } from './routers/publish';
import { queuesRouter } from './routers/queues';
import { retriesRouter } from './routers/retries';
import { routingRouter } from './routers/routing';
import { scheduledRouter } from './routers/scheduled';
import { searchRouter } from './routers/search';
import { streamsRouter } from './routers/streams';
import { systemRouter } from './routers/system';
import { usersRouter } from './routers/users';
import { vhostsRouter } from './routers/vhosts';
import { router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  attention: attentionRouter,
  queues: queuesRouter,
  bindings: bindingsRouter,
  exchanges: exchangesRouter,
  audit: auditRouter,
  connections: connectionsRouter,
  publish: publishRouter,
  retries: retriesRouter,
  deadLetters: deadLettersRouter,
  streams: streamsRouter,
  lag: lagRouter,
  routing: routingRouter,
  policies: policiesRouter,
  users: usersRouter,
  vhosts: vhostsRouter,
  permissions: permissionsRouter,
  operations: operationsRouter,
  definitions: definitionsRouter,
  search: searchRouter,
  messages: messagesRouter,
  scheduled: scheduledRouter,
  journeys: journeysRouter,
  history: historyRouter,
  alerts: alertsRouter,
});

export type AppRouter = typeof appRouter;
