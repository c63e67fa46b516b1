/**
 * Warren's TCP listeners (AMQP, AMQPS, console): where they listen, how many
 * sockets they admit, and what happens when accepting fails. A listener must
 * never throw: a refused or failed accept is logged (a line at most every few
 * seconds, with the number of similar events) and the next one is served.
 */
import type { Server, Socket } from 'node:net';

/** 'localhost' means both loopback addresses, so a client reaches Warren whichever one it resolves first. */
export function listenAddresses(host: string): string[] {
  return host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
}

/**
 * Listens on every address of `host` with servers made by `make`, on one port
 * (the first listener's when port is 0). A second loopback the machine lacks
 * (no IPv6) is not fatal; any other failure rejects with the listen error.
 */
export async function listenOn<S extends Server>(make: () => S, host: string, port: number): Promise<{ servers: S[]; port: number }> {
  const servers: S[] = [];
  for (const [i, address] of listenAddresses(host).entries()) {
    const server = make();
    try {
      port = await listen(server, address, port);
      servers.push(server);
    } catch (err) {
      if (i === 0) throw err;
    }
  }
  return { servers, port };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

const LOG_INTERVAL_MS = 10_000;

/** A log line at most every 10 s; the next one says how many were not shown. */
export function throttledLog(log: (line: string) => void): (line: string) => void {
  let lastAt = -Infinity;
  let unshown = 0;
  return (line) => {
    const now = performance.now();
    if (now - lastAt < LOG_INTERVAL_MS) {
      unshown++;
      return;
    }
    lastAt = now;
    log(unshown > 0 ? `${line} (and ${unshown} more like it in the last ${Math.round(LOG_INTERVAL_MS / 1000)} s)` : line);
    unshown = 0;
  };
}

/**
 * After listening, the only errors a net.Server emits are failed accepts
 * (EMFILE/ENFILE when the process or system is out of file descriptors,
 * ECONNABORTED...). Unhandled they would throw; libuv has already dropped the
 * pending connection, so logging is all there is to do.
 */
export function logAcceptErrors(server: Server, what: string, log: (line: string) => void): void {
  const note = throttledLog(log);
  server.on('error', (err: NodeJS.ErrnoException) => {
    const outOfFds = err.code === 'EMFILE' || err.code === 'ENFILE';
    note(
      outOfFds
        ? `${what} listener cannot accept a connection: ${err.code}, out of file descriptors; raise the limit (ulimit -n) or lower the connection caps`
        : `${what} listener cannot accept a connection: ${err.code ?? err.message}`,
    );
  });
}

export interface ConnectionCaps {
  /** Open sockets on all of the gate's listeners together; 0: no cap. */
  total: number;
  /** Open sockets from one client address; 0: no cap. */
  perAddress: number;
}

/**
 * Counts the sockets open on a set of listeners, in total and per client
 * address, and refuses the one beyond a cap before any byte of it is read.
 */
export class ConnectionGate {
  private open = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly note: (line: string) => void;

  constructor(
    private readonly what: string,
    private readonly caps: ConnectionCaps,
    /** How a person changes each cap, for the log line: "WARREN_HTTP_MAX_CONNECTIONS (or --http-max-connections)". */
    private readonly settings: { total: string; perAddress: string },
    log: (line: string) => void,
  ) {
    this.note = throttledLog(log);
  }

  /** Counts the socket until it closes; or returns why it is refused (the caller closes it). */
  admit(socket: Socket): string | null {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.byAddress.get(address) ?? 0;
    const refusal =
      this.caps.total > 0 && this.open >= this.caps.total
        ? `already ${this.open} connections in all (the cap set by ${this.settings.total})`
        : this.caps.perAddress > 0 && fromAddress >= this.caps.perAddress
          ? `already ${fromAddress} connections from ${address} (the cap set by ${this.settings.perAddress})`
          : null;
    if (refusal) {
      this.note(`${this.what} connection from ${address} refused: ${refusal}`);
      return refusal;
    }
    this.open++;
    this.byAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    });
    return null;
  }
}
