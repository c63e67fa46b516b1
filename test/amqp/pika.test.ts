import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withBroker } from './helpers';

// A second, independent client: python3-pika (Debian package python3-pika;
// CI must install it). A missing pika fails this test rather than skipping it.

const run = promisify(execFile);
/** Debian's interpreter, where python3-pika installs (a python3 earlier on PATH may be another one). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const ROUND_TRIP = `
import sys, pika
params = pika.ConnectionParameters(host='127.0.0.1', port=int(sys.argv[1]), credentials=pika.PlainCredentials('guest', 'guest'))
conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.confirm_delivery()
ch.queue_declare(queue='pika-q', durable=True)
ch.basic_publish(exchange='', routing_key='pika-q', body=b'hello from pika',
                 properties=pika.BasicProperties(content_type='text/plain', delivery_mode=2, headers={'n': 7}))
ch.basic_qos(prefetch_count=1)
for method, props, body in ch.consume('pika-q', inactivity_timeout=5):
    if method is None:
        sys.exit('no delivery')
    ch.basic_ack(method.delivery_tag)
    print(body.decode(), props.content_type, props.headers['n'], method.redelivered)
    break
ch.cancel()
print(ch.queue_declare(queue='pika-q', passive=True).method.message_count)
conn.close()
`;

describe('python3-pika', () => {
  it('publishes, consumes and acks a message', () =>
    withBroker(async ({ port }) => {
      const { stdout } = await run(PYTHON, ['-c', ROUND_TRIP, String(port)], { timeout: 15_000 }).catch((err: Error & { stderr?: string }) => {
        if (err.stderr?.includes("No module named 'pika'")) throw new Error('python3-pika is not installed: apt-get install -y python3-pika');
        throw err;
      });
      expect(stdout.trim().split('\n')).toEqual(['hello from pika text/plain 7 False', '0']);
    }));
});
