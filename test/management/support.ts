// A Warren for the management API's tests and the comparison script: HTTP
// and AMQP listeners on ephemeral ports over one broker, real users (SQLite)
// and the samplers running, as main.ts wires them.
import { startTestHttp, type TestHttp } from '../../server/http/test-support';
import type { Target } from './scenario';

export interface ManagementServer {
  http: TestHttp;
  /** Signed in as guest, the default administrator. */
  target: Target;
  /** The same server, signed in as someone else. */
  as(user: string, password: string): Target;
  close(): Promise<void>;
}

export async function startManagementServer(): Promise<ManagementServer> {
  const http = await startTestHttp({}, { amqp: true });
  const as = (user: string, password: string): Target => ({
    http: http.url,
    amqp: http.amqpUrl.replace('amqp://', `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`),
    user,
    password,
  });
  return { http, target: as('guest', 'guest'), as, close: () => http.close() };
}
