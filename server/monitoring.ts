/** The metric history and the alerts of one process, built from its settings (main.ts, and tests as main.ts does). */
import { Alerts } from './alerts/alerts';
import { WebhookSender } from './alerts/webhook-sender';
import type { Broker } from './broker/broker';
import type { Config } from './config';
import { HistoryRecorder } from './history/history-recorder';
import type { BrokerSampler } from './metrics/broker-sampler';
import type { MetadataDb } from './store/db';
import { MetricHistoryStore } from './store/metric-history';

export type MonitoringSettings = Pick<Config, 'historyRetentionDays' | 'alertIntervalMs' | 'webhookTimeoutMs' | 'webhookRetries' | 'webhookMaxQueued'> & {
  /** Delay before a webhook's first retry (doubling after); 1 s unless a test says otherwise. */
  webhookBackoffMs?: number;
};

export const DEFAULT_MONITORING: MonitoringSettings = {
  historyRetentionDays: 7,
  alertIntervalMs: 5000,
  webhookTimeoutMs: 5000,
  webhookRetries: 3,
  webhookMaxQueued: 1000,
};

export function createMonitoring(
  broker: Broker,
  sampler: BrokerSampler,
  db: MetadataDb,
  settings: MonitoringSettings,
  log?: (line: string) => void,
): { history: HistoryRecorder; alerts: Alerts } {
  const history = new HistoryRecorder(broker, sampler, new MetricHistoryStore(db.prisma), { retentionDays: settings.historyRetentionDays, log });
  const sender = new WebhookSender({
    timeoutMs: settings.webhookTimeoutMs,
    retries: settings.webhookRetries,
    maxQueued: settings.webhookMaxQueued,
    backoffMs: settings.webhookBackoffMs,
    log,
  });
  const alerts = new Alerts(broker, sampler, db.prisma, sender, { intervalMs: settings.alertIntervalMs, nodeName: broker.nodeName, log });
  return { history, alerts };
}
