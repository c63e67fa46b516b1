import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAudit } from '../../server/api/audit';
import { appRouter } from '../../server/api/root';
import type { Broker } from '../../server/broker/broker';
import type { Services } from '../../server/services';
import { openMetadataDb, type MetadataDb } from '../../server/store/db';
import { waitFor, withBroker, withChannel } from '../amqp/helpers';
import { testServices } from '../support/services';

// Alert rules against a real broker driven by amqplib, with a webhook
// receiver started here: what it receives, signed, when a queue grows and
// drains, and that a webhook that never answers holds nothing up.

const SECRET = 'a-secret-of-some-length';

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A local webhook receiver; `answer: false` reads each request and never answers it; the first `failures` requests get a 503. */
async function receiver(answer = true, failures = 0) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      got.push({ at, headers: req.headers, raw });
      if (answer) res.writeHead(got.length <= failures ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    got,
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let dir: string;
let db: MetadataDb;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warren-alerts-'));
  db = await openMetadataDb({ dataDir: dir });
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function started(broker: Broker, webhook: { webhookTimeoutMs?: number; webhookRetries?: number; webhookBackoffMs?: number } = {}) {
  const services = testServices(broker, db, { monitoring: { alertIntervalMs: 200, ...webhook } });
  services.brokerSampler.start();
  await services.alerts.start();
  const as = (name: string, tags: string[]) => appRouter.createCaller({ services, user: { name, tags }, peerAddress: '127.0.0.1', setCookie: () => {} });
  return { services, oncall: as('oncall', ['administrator']), watcher: as('watcher', ['monitoring']), manager: as('manager', ['management']) };
}

async function stop(services: Services) {
  await services.alerts.stop();
  services.brokerSampler.stop();
  await db.prisma.alertRule.deleteMany();
  await db.prisma.alertWebhook.deleteMany();
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return (error as TRPCError).message;
}

const body = (r: Received) => JSON.parse(r.raw) as Record<string, unknown>;
const validSignature = (r: Received) => r.headers['x-warren-signature'] === `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`;

describe('alert rules', () => {
  it('fire when a queue grows past the depth, call the webhook signed, and send the recovery when it drains', () =>
    withBroker(async ({ broker, url }) => {
      const hook = await receiver();
      const { services, oncall, watcher } = await started(broker);
      try {
        const { id: webhookId } = await oncall.alerts.saveWebhook({ name: 'on-call', url: hook.url, secret: SECRET });
        await oncall.alerts.saveRule({
          vhost: '/',
          name: 'orders backlog',
          pattern: '^orders$',
          condition: 'depth_above',
          threshold: 50,
          forSeconds: 0,
          webhookId,
        });
        await withChannel(url, async (ch) => {
          await ch.assertQueue('orders');
          await ch.assertQueue('orders-other');
          for (let i = 0; i < 60; i++) ch.sendToQueue('orders', Buffer.from(`order ${i}`));
          for (let i = 0; i < 60; i++) ch.sendToQueue('orders-other', Buffer.from('not watched'));
          await waitFor(() => hook.got.length >= 1, 5000, 'the fired notification');
          const fired = hook.got[0]!;
          expect(fired.headers['x-warren-event']).toBe('alert.fired');
          expect(validSignature(fired)).toBe(true);
          expect(body(fired)).toMatchObject({
            event: 'alert.fired',
            rule: { name: 'orders backlog', vhost: '/', pattern: '^orders$', condition: 'depth_above', threshold: 50, forSeconds: 0 },
            object: { kind: 'queue', vhost: '/', name: 'orders' },
            value: 60,
            recoveredAt: null,
          });
          expect(body(fired).summary).toBe("FIRING orders backlog: queue 'orders' in vhost '/': depth 60 above 50 messages");
          // A monitoring user sees it firing, and recorded; the other queue does not match.
          expect(await watcher.alerts.firing({ vhost: '/', name: 'orders', kind: 'queue' })).toMatchObject([{ ruleName: 'orders backlog', value: 60 }]);
          expect(await watcher.alerts.firing({ vhost: '/', name: 'orders-other', kind: 'queue' })).toEqual([]);
          await services.alerts.recorded();
          expect((await watcher.alerts.events())[0]).toMatchObject({ ruleName: 'orders backlog', object: 'orders', value: 60, recoveredAt: null });

          await ch.purgeQueue('orders');
          await waitFor(() => hook.got.length >= 2, 5000, 'the recovery');
          const recovered = hook.got[1]!;
          expect(validSignature(recovered)).toBe(true);
          expect(body(recovered)).toMatchObject({ event: 'alert.recovered', object: { name: 'orders' }, value: 0 });
          expect(typeof body(recovered).recoveredAt).toBe('string');
          expect(await watcher.alerts.firing()).toEqual([]);
          await services.alerts.recorded();
          expect((await watcher.alerts.events())[0]!.recoveredAt).toBeGreaterThanOrEqual((await watcher.alerts.events())[0]!.firedAt);
        });
        const [ruleEntry, hookEntry] = (await recentAudit(services, 2)).reverse();
        expect(hookEntry).toMatchObject({ action: 'alert-rule.create', user: 'oncall' });
        expect(ruleEntry).toMatchObject({ action: 'alert-webhook.create', details: { url: hook.url, secretChanged: true } });
        expect(JSON.stringify(ruleEntry)).not.toContain(SECRET);
      } finally {
        await stop(services);
        await hook.close();
      }
    }));

  it('are viewed by every console user but changed only by administrators; bad input is explained', () =>
    withBroker(async ({ broker }) => {
      const { services, oncall, watcher, manager } = await started(broker);
      try {
        const rule = { vhost: '/', name: 'r', pattern: '.*', condition: 'depth_above' as const, threshold: 1, forSeconds: 0 };
        expect(await refusal(watcher.alerts.saveRule(rule))).toBe("User 'watcher' may only look (monitoring): changes need the management tag.");
        expect(await refusal(manager.alerts.saveRule(rule))).toBe(
          "User 'manager' is not an administrator: alert rules and webhooks need the administrator tag.",
        );
        expect(await refusal(manager.alerts.saveWebhook({ name: 'w', url: 'http://127.0.0.1:1/', secret: SECRET }))).toContain('not an administrator');
        expect(await refusal(manager.alerts.deleteRule({ vhost: '/', id: 1 }))).toContain('not an administrator');
        expect(await refusal(oncall.alerts.saveRule({ ...rule, pattern: 'orders(' }))).toBe(
          "rule pattern 'orders(' at position 7: the group opened here is not closed; add ')' (to match '(' write '\\(')",
        );
        // Called directly, zod's issues come whole; over HTTP the error formatter makes them one line each.
        expect(await refusal(oncall.alerts.saveRule({ ...rule, threshold: -5 }))).toContain('The threshold cannot be negative: give 0 or more');
        expect(await refusal(oncall.alerts.saveRule({ ...rule, forSeconds: -1 }))).toContain('The for duration cannot be negative');
        expect(await refusal(oncall.alerts.saveWebhook({ name: 'w', url: 'ftp://example.com/x', secret: SECRET }))).toContain(
          'Give the webhook an http:// or https:// address, e.g. https://hooks.example.com/warren',
        );
        expect(await refusal(oncall.alerts.saveWebhook({ name: 'w', url: 'not a url', secret: SECRET }))).toContain('http:// or https://');
        expect(await refusal(oncall.alerts.saveWebhook({ name: 'w', url: 'http://127.0.0.1:1/', secret: 'short' }))).toContain('at least 16 characters');
        await oncall.alerts.saveRule(rule);
        expect(await refusal(oncall.alerts.saveRule(rule))).toBe("An alert rule named 'r' exists already: choose another name, or edit that rule.");
        expect(await watcher.alerts.rules()).toMatchObject([{ name: 'r', pattern: '.*', threshold: 1 }]);
        expect(await manager.alerts.rules()).toMatchObject([{ name: 'r' }]);
        // A Slack-compatible webhook needs no secret, and only one of that format may be a rule's Slack webhook.
        const { id: slackId } = await oncall.alerts.saveWebhook({ name: 'chat', url: 'https://hooks.example.com/services/T0/B0/token', format: 'slack' });
        const { id: plainId } = await oncall.alerts.saveWebhook({ name: 'plain', url: 'http://127.0.0.1:1/', secret: SECRET });
        expect(await refusal(oncall.alerts.saveRule({ ...rule, name: 'r2', slackWebhookId: plainId }))).toBe(
          `Webhook ${plainId} is not a Slack-compatible webhook: choose one of format slack, or none.`,
        );
        await oncall.alerts.saveRule({ ...rule, name: 'r2', webhookId: plainId, slackWebhookId: slackId });
        expect(await refusal(oncall.alerts.deleteWebhook({ id: slackId }))).toBe("Webhook 'chat' is used by alert rule(s) 'r2': change or delete them first.");
        // A Slack address is its credential: only administrators see it whole.
        expect((await oncall.alerts.webhooks()).find((w) => w.name === 'chat')?.url).toBe('https://hooks.example.com/services/T0/B0/token');
        expect((await watcher.alerts.webhooks()).find((w) => w.name === 'chat')?.url).toBe('https://hooks.example.com/…');
      } finally {
        await stop(services);
      }
    }));

  it('a receiver that fails is retried with back-off until it answers, and a Slack-compatible webhook gets the text', () =>
    withBroker(async ({ broker, url }) => {
      const hook = await receiver(true, 2);
      const chat = await receiver();
      const { services, oncall } = await started(broker, { webhookRetries: 3, webhookBackoffMs: 150 });
      try {
        const { id: webhookId } = await oncall.alerts.saveWebhook({ name: 'flaky', url: hook.url, secret: SECRET });
        const { id: slackWebhookId } = await oncall.alerts.saveWebhook({ name: 'chat', url: chat.url, format: 'slack' });
        await oncall.alerts.saveRule({
          vhost: '/',
          name: 'no consumers',
          pattern: '^work$',
          condition: 'consumers_below',
          threshold: 1,
          forSeconds: 0,
          webhookId,
          slackWebhookId,
        });
        await withChannel(url, async (ch) => {
          await ch.assertQueue('work');
          await waitFor(() => services.alerts.sender.counts.delivered === 2, 5000, 'both deliveries');
        });
        // Two 503s, then the 204: three attempts of one delivery, 150 and then 300 ms apart at least.
        expect(hook.got.map((r) => r.headers['x-warren-event'])).toEqual(['alert.fired', 'alert.fired', 'alert.fired']);
        expect(new Set(hook.got.map((r) => r.headers['x-warren-delivery'])).size).toBe(1);
        expect(hook.got.every(validSignature)).toBe(true);
        expect(hook.got[1]!.at - hook.got[0]!.at).toBeGreaterThanOrEqual(150);
        expect(hook.got[2]!.at - hook.got[1]!.at).toBeGreaterThanOrEqual(300);
        const flaky = (await oncall.alerts.webhooks()).find((w) => w.name === 'flaky');
        expect(flaky?.lastResult).toMatchObject({ ok: true, attempts: 3, status: 204 });
        expect(chat.got).toHaveLength(1);
        expect(body(chat.got[0]!)).toEqual({
          text: expect.stringMatching(/^\[Warren .+\] FIRING no consumers: queue 'work' in vhost '\/': consumers 0 below 1 consumers$/),
        });
      } finally {
        await stop(services);
        await hook.close();
        await chat.close();
      }
    }));

  it('a webhook that never answers is timed out and retried with back-off, while AMQP round trips and the evaluation go on', () =>
    withBroker(async ({ broker, url }) => {
      const hook = await receiver(false);
      const { services, oncall, watcher } = await started(broker, { webhookTimeoutMs: 300, webhookRetries: 3, webhookBackoffMs: 100 });
      try {
        const { id: webhookId } = await oncall.alerts.saveWebhook({ name: 'black hole', url: hook.url, secret: SECRET });
        await oncall.alerts.saveRule({ vhost: '/', name: 'stuck', pattern: '^stuck$', condition: 'depth_above', threshold: 0, forSeconds: 0, webhookId });
        await oncall.alerts.saveRule({ vhost: '/', name: 'later', pattern: '^later$', condition: 'depth_above', threshold: 0, forSeconds: 0 });
        await withChannel(url, async (ch) => {
          await ch.assertQueue('stuck');
          await ch.assertQueue('later');
          await ch.assertQueue('ping');
          ch.sendToQueue('stuck', Buffer.from('x'));
          await waitFor(() => hook.got.length >= 1, 5000, 'the first attempt');
          // While the webhook hangs: AMQP round trips stay fast, and another rule still fires.
          const trips: number[] = [];
          const tripsUntil = Date.now() + 1500;
          let laterFired = false;
          let arrived: () => void = () => {};
          await ch.consume('ping', () => arrived(), { noAck: true });
          while (Date.now() < tripsUntil) {
            const t = performance.now();
            const back = new Promise<void>((resolve) => (arrived = resolve));
            ch.sendToQueue('ping', Buffer.from('ping'));
            await back;
            trips.push(performance.now() - t);
            if (trips.length === 5) ch.sendToQueue('later', Buffer.from('y'));
            laterFired ||= (await watcher.alerts.firing({ vhost: '/', name: 'later', kind: 'queue' })).length === 1;
          }
          expect(laterFired).toBe(true);
          trips.sort((a, b) => a - b);
          expect(trips[Math.floor(trips.length * 0.95)]).toBeLessThan(50);
          await waitFor(() => services.alerts.sender.counts.failed === 1, 5000, 'the delivery to give up');
        });
        // Four attempts (the first and three retries), each cut off at 300 ms, then 100, 200 and 400 ms of back-off.
        expect(hook.got.length).toBe(4);
        expect(hook.got.every(validSignature)).toBe(true);
        expect(new Set(hook.got.map((r) => r.headers['x-warren-delivery'])).size).toBe(1);
        const gaps = hook.got.slice(1).map((r, i) => r.at - hook.got[i]!.at);
        // Each attempt's clock starts before its connection is made, and the receiver notes when the request arrives:
        // a gap may be a few ms shorter than timeout + back-off when one connection took longer than the next
        // (the first, made cold, most of all).
        const slack = 20;
        expect(gaps[0]).toBeGreaterThanOrEqual(300);
        expect(gaps[1]).toBeGreaterThanOrEqual(300 + 200 - slack);
        expect(gaps[2]).toBeGreaterThanOrEqual(300 + 400 - slack);
        expect(gaps[2]! - gaps[1]!).toBeGreaterThan(100);
        const [webhook] = await watcher.alerts.webhooks();
        expect(webhook).toMatchObject({ name: 'black hole', lastResult: { ok: false, attempts: 4, error: 'no answer within 300 ms' } });
        expect(webhook).not.toHaveProperty('secret');
      } finally {
        await stop(services);
        await hook.close();
      }
    }));
});
