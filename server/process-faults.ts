/**
 * Warren's own policy for errors nothing caught, installed first thing at
 * start-up (so that neither Node's default nor Next.js's handlers decide):
 *
 * - An uncaught exception may have left any state half-changed, so the
 *   process logs it with its origin and exits with EXIT_UNCAUGHT at once,
 *   without a graceful stop that would run on that state. Every confirmed
 *   message is already on disk, recovery is tested against kill -9, and a
 *   supervisor (systemd, Kubernetes) starts Warren again.
 * - A rejected promise nobody handled has failed on its own chain only: it
 *   is logged with its stack and counted, and the broker carries on.
 */

export const EXIT_UNCAUGHT = 70; // EX_SOFTWARE

export interface FaultCounts {
  unhandledRejections: number;
}

export function installFaultPolicy(log: (line: string) => void = (line) => console.error(line)): FaultCounts {
  const counts: FaultCounts = { unhandledRejections: 0 };
  process.on('uncaughtException', (error, origin) => {
    try {
      log(`warren: uncaught exception (${origin}), exiting with ${EXIT_UNCAUGHT} so that a supervisor restarts from the journal: ${describe(error)}`);
    } finally {
      process.exit(EXIT_UNCAUGHT);
    }
  });
  process.on('unhandledRejection', (reason) => {
    counts.unhandledRejections++;
    log(`warren: unhandled promise rejection (the broker carries on): ${describe(reason)}`);
  });
  return counts;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
