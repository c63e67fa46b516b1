/**
 * Playwright fixtures: `warren` is a real broker process started for the
 * worker on ephemeral ports with a throw-away data directory; `baseURL` points
 * the browser at its console; `page` is signed in as guest.
 */
import { test as base, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Warren {
  consoleUrl: string;
  amqpUrl: string;
  dataDir: string;
  /** Everything the process printed so far. */
  output(): string;
}

/** Starts a Warren of its own; `env` adds settings (e.g. WARREN_DISK_FREE_LIMIT). Stop it with `stopWarren`. */
export async function startWarren(env: Record<string, string> = {}): Promise<{ warren: Warren; child: ChildProcess }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: '0', AMQP_PORT: '0', HOST: '127.0.0.1', WARREN_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Warren did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = out.match(/console (http:\/\/\S+?)\/? , AMQP (amqp:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Warren exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { warren: { consoleUrl: ready[1]!, amqpUrl: ready[2]!, dataDir, output: () => out }, child }; // both groups always take part
}

export async function stopWarren({ warren, child }: { warren: Warren; child: ChildProcess }): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(warren.dataDir, { recursive: true, force: true });
}

/** Signs a page's browser context in as guest through the API, as the sign-in form would. */
export async function signIn(page: Page, baseURL: string): Promise<void> {
  const res = await page.request.post(`${baseURL}/api/trpc/auth.signIn`, { data: { name: 'guest', password: 'guest' } });
  if (!res.ok()) throw new Error(`Signing in as guest failed: ${res.status()} ${await res.text()}`);
}

export const test = base.extend<object, { warren: Warren }>({
  // Every story starts signed in as guest, as a person on this machine would be after the first sign-in.
  page: async ({ page, baseURL }, use) => {
    await signIn(page, baseURL!);
    await use(page);
  },
  warren: [
    async ({}, use) => {
      const running = await startWarren();
      await use(running.warren);
      await stopWarren(running);
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ warren }, use) => use(warren.consoleUrl),
});

export { expect } from '@playwright/test';
