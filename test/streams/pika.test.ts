// A stream read by a second, independent client: python3-pika (Debian
// package python3-pika), the way RabbitMQ's stream tutorial reads one:
// prefetch set, x-stream-offset as a consume argument, manual acks, the
// offset in the x-stream-offset header. A missing pika fails the test.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../amqp/helpers';

const run = promisify(execFile);
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const READ_STREAM = `
import sys, pika
params = pika.ConnectionParameters(host='127.0.0.1', port=int(sys.argv[1]), credentials=pika.PlainCredentials('guest', 'guest'))
conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.confirm_delivery()
ch.queue_declare(queue='pika-stream', durable=True, arguments={'x-queue-type': 'stream'})
for i in range(5):
    ch.basic_publish(exchange='', routing_key='pika-stream', body=('m%d' % i).encode())
ch.basic_qos(prefetch_count=2)
seen = []
for method, props, body in ch.consume('pika-stream', inactivity_timeout=5, arguments={'x-stream-offset': 2}):
    if method is None:
        sys.exit('no delivery')
    ch.basic_ack(method.delivery_tag)
    seen.append('%s@%d' % (body.decode(), props.headers['x-stream-offset']))
    if len(seen) == 3:
        break
ch.cancel()
print(' '.join(seen))
conn.close()
`;

describe('python3-pika on a stream', () => {
  it('replays from an offset with acks as flow control', () =>
    withBroker(async ({ port }) => {
      const { stdout } = await run(PYTHON, ['-c', READ_STREAM, String(port)], { timeout: 15_000 }).catch((err: Error & { stderr?: string }) => {
        if (err.stderr?.includes("No module named 'pika'")) throw new Error('python3-pika is not installed: apt-get install -y python3-pika');
        throw err;
      });
      expect(stdout.trim()).toBe('m2@2 m3@3 m4@4');
    }));
});
