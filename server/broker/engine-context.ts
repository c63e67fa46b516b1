// What the engine's own parts (connections, and the stream, retry and
// dead-letter consoles behind the facade) reach the vhosts through. The
// Broker makes the one instance; nothing outside server/broker/ sees it
// (test/contracts/facade.test.ts), so the facade stays the only way in.

import type { Connection } from './connection';
import type { GlobalCounters } from './global-counters';
import type { JourneyTracing } from './journey/journey-tracing';
import type { LongOperations } from './operations/long-operations';
import type { Store } from './store';
import type { Vhost } from './vhost';

export interface EngineContext {
  readonly store: Store;
  readonly operations: LongOperations;
  readonly counters: GlobalCounters;
  /** Where console operations record their steps of traced messages. */
  readonly journeys: JourneyTracing;
  now(): number;
  /** The vhost; 404 NOT_FOUND when there is none of that name. */
  vhost(name: string): Vhost;
  /** The vhost, or undefined. */
  findVhost(name: string): Vhost | undefined;
  /** That vhost (404 when missing), or every vhost when `name` is undefined. */
  vhostsOf(name: string | undefined): Vhost[];
  /** Resolves once the store has on disk everything recorded so far. */
  stored(): Promise<void>;
  /** A connection closed: the broker stops listing it. */
  forgetConnection(connection: Connection): void;
}
