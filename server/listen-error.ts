/** Turns a failed `listen()` into the one line a person needs to fix it. */
export function describeListenError(err: unknown, what: string, host: string, port: number, setting: string): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return `${what} port ${port} is already in use on ${host}: set ${setting} to a free port.`;
  if (code === 'EACCES') return `${what} port ${port} needs privileges this user lacks: set ${setting} to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `${what} cannot listen on address ${host}: set HOST to an address of this machine.`;
  return `${what} cannot listen on ${host}:${port}: ${(err as Error)?.message ?? String(err)}`;
}
