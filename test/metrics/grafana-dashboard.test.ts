// RabbitMQ's own Grafana dashboard (RabbitMQ-Overview, a fixture copied from
// rabbitmq-server: see test/fixtures/grafana/README.md) must find every
// metric it queries on Warren's /metrics, with at least one sample.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startAmqpServer, type AmqpServerHandle } from '../../server/amqp/server';
import { startTestHttp, type TestHttp } from '../../server/http/test-support';
import { DiskAlarm } from '../../server/store/disk-alarm';
import { parsePrometheusText, promqlMetricNames } from '../support/prometheus-text';

const DASHBOARD = new URL('../fixtures/grafana/RabbitMQ-Overview.json', import.meta.url);

/** Every PromQL expression of the dashboard: its panels' targets and its query variables. */
function dashboardQueries(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) dashboardQueries(item, out);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.expr === 'string') out.push(o.expr);
    if (o.type === 'query' && typeof o.query === 'string') out.push(o.query);
    for (const [key, value] of Object.entries(o)) if (key !== 'expr') dashboardQueries(value, out);
  }
  return out;
}

let http: TestHttp | undefined;
let amqpServer: AmqpServerHandle | undefined;
let disk: DiskAlarm | undefined;
afterEach(async () => {
  disk?.stop();
  await amqpServer?.close();
  await http?.close();
});

describe('RabbitMQ-Overview dashboard', () => {
  it('strips PromQL to the metric names it reads', () => {
    expect(
      promqlMetricNames(
        'sum(rate(rabbitmq_global_messages_received_total[$__rate_interval]) * on(instance, job) group_left(rabbitmq_cluster, rabbitmq_node) rabbitmq_identity_info{rabbitmq_cluster="$rabbitmq_cluster"}) by(rabbitmq_node)',
      ).sort(),
    ).toEqual(['rabbitmq_global_messages_received_total', 'rabbitmq_identity_info']);
    expect(promqlMetricNames('label_values(rabbitmq_identity_info{namespace="$namespace"},rabbitmq_cluster)')).toEqual(['rabbitmq_identity_info']);
    expect(promqlMetricNames('(rabbitmq_process_max_fds - rabbitmq_process_open_fds) * 1e+06')).toEqual([
      'rabbitmq_process_max_fds',
      'rabbitmq_process_open_fds',
    ]);
  });

  it('finds every metric it queries on /metrics', async () => {
    const queries = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    const wanted = [...new Set(queries.flatMap(promqlMetricNames))].sort();
    expect(wanted.length).toBeGreaterThan(30);

    http = await startTestHttp();
    amqpServer = await startAmqpServer({ broker: http.services.broker, host: '127.0.0.1', port: 0 });
    // As main.ts wires it: the disk alarm on the data directory gives the free space.
    const limitBytes = 50_000_000;
    disk = new DiskAlarm(process.cwd(), limitBytes, () => {});
    await disk.check();
    const alarm = disk;
    http.services.disk = () => ({ freeBytes: alarm.freeBytes, limitBytes });

    const text = await (await fetch(`${http.url}/metrics`)).text();
    const families = parsePrometheusText(text);
    const sampled = new Set<string>();
    for (const family of families.values()) for (const s of family.samples) sampled.add(s.name);
    expect(wanted.filter((name) => !sampled.has(name))).toEqual([]);
  });
});
