/**
 * The console's pages: Next.js (App Router) running inside this process.
 * In production it serves the build in `.next/` (made by `npm run build`,
 * which `npm start` runs when the build is missing or stale).
 */
import fs from 'node:fs';
import path from 'node:path';
import next from 'next';
import type { RequestHandler } from './server';

export async function createPagesHandler(opts: { dir: string; dev: boolean; hostname: string; port: number }): Promise<RequestHandler> {
  if (!opts.dev && !fs.existsSync(path.join(opts.dir, '.next', 'BUILD_ID'))) {
    throw new Error('The console has not been built: run `npm run build` first (`npm start` does it for you).');
  }
  const app = next({ dev: opts.dev, dir: opts.dir, hostname: opts.hostname, port: opts.port, quiet: !opts.dev });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}
