// /metrics and /metrics/per-object as Prometheus scrapes them: a real HTTP
// server and a real AMQP server on one broker, real amqplib clients, and a
// strict text-format parser. Counters must only grow, also when the queue
// and the connection that counted are gone.
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { startAmqpServer, type AmqpServerHandle } from '../../server/amqp/server';
import { startTestHttp, type TestHttp } from '../../server/http/test-support';
import { parsePrometheusText, seriesValues, type PromFamily } from '../support/prometheus-text';

let http: TestHttp | undefined;
let amqpServer: AmqpServerHandle | undefined;

afterEach(async () => {
  await amqpServer?.close();
  await http?.close();
  amqpServer = undefined;
  http = undefined;
});

async function start(env: Record<string, string> = {}) {
  http = await startTestHttp(env);
  amqpServer = await startAmqpServer({ broker: http.services.broker, host: '127.0.0.1', port: 0 });
  return { http, url: `amqp://guest:guest@127.0.0.1:${amqpServer.port}` };
}

async function scrape(path: string, headers: Record<string, string> = {}): Promise<Map<string, PromFamily>> {
  const res = await fetch(`${http!.url}${path}`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

const value = (families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}) =>
  (families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, '')))?.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe('/metrics', () => {
  it('parses strictly, speaks rabbitmq_prometheus names, and its counters only grow across a queue deletion', async () => {
    const { url } = await start();
    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders');
    for (let i = 0; i < 5; i++) ch.sendToQueue('orders', Buffer.from(`order ${i}`));
    await ch.waitForConfirms();
    const got = await ch.get('orders', { noAck: false });
    expect(got).not.toBe(false);
    ch.ack(got as amqp.GetMessage);
    const consumed = new Promise<void>((resolve) => {
      let n = 0;
      void ch.consume('orders', (m) => {
        if (m === null) return; // cancelled by the server: the queue was deleted
        ch.ack(m);
        if (++n === 4) resolve();
      });
    });
    await consumed;
    expect(await ch.get('orders')).toBe(false);

    const before = await scrape('/metrics');
    expect(value(before, 'rabbitmq_global_messages_received_total', { protocol: 'amqp091' })).toBe(5);
    expect(value(before, 'rabbitmq_global_messages_received_confirm_total', { protocol: 'amqp091' })).toBe(5);
    expect(value(before, 'rabbitmq_global_messages_confirmed_total', { protocol: 'amqp091' })).toBe(5);
    expect(value(before, 'rabbitmq_global_messages_delivered_get_manual_ack_total', { protocol: 'amqp091' })).toBe(1);
    expect(value(before, 'rabbitmq_global_messages_delivered_consume_manual_ack_total', { protocol: 'amqp091' })).toBe(4);
    expect(value(before, 'rabbitmq_global_messages_get_empty_total', { protocol: 'amqp091' })).toBe(1);
    expect(value(before, 'rabbitmq_global_messages_acknowledged_total', { protocol: 'amqp091' })).toBe(5);
    expect(value(before, 'rabbitmq_global_publishers', { protocol: 'amqp091' })).toBe(1);
    expect(value(before, 'rabbitmq_connections')).toBe(1);
    expect(value(before, 'rabbitmq_message_size_bytes_bucket', { protocol: 'amqp091', le: '100.0' })).toBe(5);
    expect(value(before, 'warren_messages_acked_total')).toBe(5);
    const perObject = await scrape('/metrics/per-object');
    expect(value(perObject, 'rabbitmq_queue_consumers', { vhost: '/', queue: 'orders' })).toBe(1);
    expect(value(perObject, 'rabbitmq_queue_messages_published_total', { vhost: '/', queue: 'orders' })).toBe(5);
    expect(value(perObject, 'rabbitmq_identity_info', { rabbitmq_endpoint: 'per-object' })).toBe(1);

    await ch.deleteQueue('orders');
    await conn.close();
    const after = await scrape('/metrics');
    expect(value(after, 'rabbitmq_queues_deleted_total')).toBe(1);
    expect(value(after, 'rabbitmq_connections_closed_total')).toBe(1);
    expect(value(after, 'rabbitmq_connections')).toBe(0);
    expect(value(after, 'rabbitmq_global_publishers', { protocol: 'amqp091' })).toBe(0);
    const counters = [...seriesValues(before, ['counter', 'histogram'])];
    expect(counters.length).toBeGreaterThan(30);
    const afterValues = seriesValues(after, ['counter', 'histogram']);
    const shrunk = counters.filter(([series, v]) => !(afterValues.get(series)! >= v)).map(([series, v]) => `${series}: ${v} -> ${afterValues.get(series)}`);
    expect(shrunk).toEqual([]);
    expect(value(after, 'warren_messages_acked_total')).toBe(5);
    expect(value(after, 'warren_messages_delivered_total')).toBe(5);
    expect(value(after, 'rabbitmq_connection_incoming_bytes_total')).toBeGreaterThanOrEqual(value(before, 'rabbitmq_connection_incoming_bytes_total')!);
    // The queue's own series are gone from per-object: a series that ends, not a counter going down.
    expect(value(await scrape('/metrics/per-object'), 'rabbitmq_queue_messages_published_total', { queue: 'orders' })).toBeUndefined();
  });

  it('shows a blocked event loop in warren_event_loop_delay_* (seconds) for the last second sampled', async () => {
    await start();
    const { sampler } = http!.services;
    sampler.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // some ordinary turns first
      const blockedUntil = performance.now() + 150;
      while (performance.now() < blockedUntil); // a handler that holds the loop for 150 ms
      await new Promise((r) => setTimeout(r, 50));
      sampler.sample();
      const families = await scrape('/metrics');
      for (const name of ['warren_event_loop_delay_p50_seconds', 'warren_event_loop_delay_p99_seconds', 'warren_event_loop_delay_max_seconds'])
        expect(families.get(name)?.type).toBe('gauge');
      const p50 = value(families, 'warren_event_loop_delay_p50_seconds')!;
      const p99 = value(families, 'warren_event_loop_delay_p99_seconds')!;
      const max = value(families, 'warren_event_loop_delay_max_seconds')!;
      expect(max).toBeGreaterThan(0.1);
      expect(max).toBeLessThan(5);
      expect(p50).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
      expect(p50).toBeLessThan(max);
    } finally {
      sampler.stop();
    }
  });

  it('asks for the bearer token WARREN_METRICS_TOKEN sets, saying which', async () => {
    await start({ WARREN_METRICS_TOKEN: 's3cr3t-token' });
    for (const path of ['/metrics', '/metrics/per-object']) {
      const bare = await fetch(`${http!.url}${path}`);
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await bare.text()).toContain('Authorization: Bearer <token>" with the token set by WARREN_METRICS_TOKEN (or --metrics-token)');
      const wrong = await fetch(`${http!.url}${path}`, { headers: { authorization: 'Bearer guessed' } });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('not the one set by WARREN_METRICS_TOKEN');
      expect((await scrape(path, { authorization: 'Bearer s3cr3t-token' })).has('rabbitmq_queues')).toBe(true);
    }
  });

  it('is scraped without a session, and answers GET only', async () => {
    await start();
    const post = await fetch(`${http!.url}/metrics`, { method: 'POST', headers: { origin: http!.url } });
    expect(post.status).toBe(405);
    expect(await post.text()).toContain('scrape metrics with GET');
  });
});
