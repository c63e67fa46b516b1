import { describe, expect, it } from 'vitest';
import { Broker } from '../broker/broker';
import type { Services } from '../services';
import { ProcessSampler } from '../metrics/process-sampler';
import { renderMetrics } from './metrics';

describe('/metrics', () => {
  it('counts messages kept in <queue>.dlq for passing their delivery limit, and contained faults', async () => {
    const broker = new Broker();
    const services = {
      broker,
      startedAt: Date.now(),
      processFaults: { unhandledRejections: 2 },
      sampler: new ProcessSampler(),
      alarms: () => [],
      memory: () => null,
    } as unknown as Services;
    broker.declareQueue('/', 'jobs', { arguments: { 'x-delivery-limit': 0 } });
    broker.publish('/', '', 'jobs', {}, Buffer.from('poison'));
    const channel = broker.openConnection({ vhost: '/', user: 'guest', clientProperties: {}, peerAddress: '127.0.0.1:5000' }).openChannel(1);
    channel.nack(channel.get('jobs', false)!.deliveryTag, false, true);

    const text = await renderMetrics(services);
    expect(text).toContain('\nwarren_messages_over_delivery_limit_total 1\n');
    expect(text).toContain('\nwarren_engine_faults_total 0\n');
    expect(text).toContain('\nwarren_unhandled_rejections_total 2\n');
    expect(broker.getQueue('/', 'jobs.dlq').ready).toBe(1);
    broker.close();
  });
});
