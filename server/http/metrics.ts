/**
 * `/metrics` and `/metrics/per-object`: Prometheus text format written by
 * prom-client, in rabbitmq_prometheus's names and labels (so RabbitMQ's
 * Grafana dashboards read Warren) plus Warren's own warren_* families.
 * As in RabbitMQ, /metrics aggregates over the node and /metrics/per-object
 * has one series per queue, channel and connection. Scraping needs no
 * session; with a token set (WARREN_METRICS_TOKEN), it needs that bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { Services } from '../services';
import { registerRabbitmqAggregated } from './prometheus/rabbitmq-aggregated';
import { registerRabbitmqPerObject } from './prometheus/rabbitmq-per-object';
import { ScrapeSource } from './prometheus/scrape';
import { registerWarren } from './prometheus/warren';

export type MetricsEndpoint = 'aggregated' | 'per-object';

/** Which endpoint a request path asks for, or null when it is not a metrics path. */
export function metricsEndpoint(url: string): MetricsEndpoint | null {
  const path = url.split('?', 1)[0];
  if (path === '/metrics') return 'aggregated';
  if (path === '/metrics/per-object') return 'per-object';
  return null;
}

export class PrometheusMetrics {
  private readonly source: ScrapeSource;
  private readonly registries: Record<MetricsEndpoint, Registry>;

  constructor(services: () => Services) {
    this.source = new ScrapeSource(services);
    const aggregated = new Registry();
    registerRabbitmqAggregated(aggregated, this.source);
    registerWarren(aggregated, this.source);
    const perObject = new Registry();
    registerRabbitmqPerObject(perObject, this.source);
    this.registries = { aggregated, 'per-object': perObject };
  }

  get contentType(): string {
    return Registry.PROMETHEUS_CONTENT_TYPE;
  }

  render(endpoint: MetricsEndpoint): Promise<string> {
    return this.source.render(this.registries[endpoint]);
  }
}

/** One renderer for a test or a script that has services but no HTTP server. */
export function renderMetrics(services: Services, endpoint: MetricsEndpoint = 'aggregated'): Promise<string> {
  return new PrometheusMetrics(() => services).render(endpoint);
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Answers a metrics request: 405 for a method other than GET or HEAD, 401
 * when a token is set and the request does not bear it, else the text.
 * `tokenSetting` names the setting for the refusal.
 */
export function serveMetrics(
  metrics: PrometheusMetrics,
  endpoint: MetricsEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  auth: { token: string | undefined; tokenSetting: string },
  onError: (error: unknown) => void,
): void {
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(`${message}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, `${req.method} is not allowed here: scrape metrics with GET.`, { allow: 'GET, HEAD' });
  if (auth.token !== undefined) {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const challenge = { 'www-authenticate': 'Bearer realm="warren metrics"' };
    if (bearer === null) {
      return refuse(401, `Metrics need a bearer token: send "Authorization: Bearer <token>" with the token set by ${auth.tokenSetting}.`, challenge);
    }
    if (!sameToken(bearer[1]!, auth.token)) {
      return refuse(401, `The bearer token sent is not the one set by ${auth.tokenSetting}: check the scrape configuration's token.`, challenge);
    }
  }
  metrics.render(endpoint).then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal error while collecting the metrics; the broker log says what failed.\n');
    },
  );
}
