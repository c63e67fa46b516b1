// A TCP proxy on loopback for the cluster's fault tests: put between a node
// and what it talks to (PostgreSQL), then cut and restored by the test. A cut
// resets every open connection through it and every new one, as a database
// that went away does; a silent cut forwards nothing more and answers
// nothing, as a network that drops packets does. Restored, it forwards new
// connections again; those a silent cut held stay silent (as through a
// firewall that forgot them), so only a client that gives them up recovers.

import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  port: number;
  /** Resets every connection and refuses new ones until `restore`; `silently`: holds them, forwarding nothing. */
  cut(options?: { silently?: boolean }): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  /** Sockets a silent cut holds, until the proxy closes. */
  const held = new Set<Socket>();
  let cut: 'no' | 'reset' | 'silent' = 'no';
  const hold = (socket: Socket) => {
    socket.unpipe();
    socket.pause();
    held.add(socket);
  };
  const server = createServer((client) => {
    if (cut === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (cut === 'silent') {
      client.on('error', () => {});
      hold(client);
      return;
    }
    const upstream = createConnection(target);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address.port,
    cut(options = {}) {
      cut = options.silently ? 'silent' : 'reset';
      for (const socket of open) {
        if (cut === 'silent') hold(socket);
        else socket.resetAndDestroy();
      }
    },
    restore() {
      cut = 'no';
    },
    close() {
      for (const socket of [...open, ...held]) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
