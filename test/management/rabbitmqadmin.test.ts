// RabbitMQ's own command-line client, rabbitmqadmin (shipped with its
// management plugin; Debian's rabbitmq-server installs it as
// /usr/bin/rabbitmqadmin), against Warren: declare, list, publish, get,
// purge, delete. A missing rabbitmqadmin fails this test rather than skipping it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitmqadmin } from './rabbitmqadmin';
import { startManagementServer, type ManagementServer } from './support';

let warren: ManagementServer;
beforeAll(async () => {
  warren = await startManagementServer();
});
afterAll(() => warren?.close());

const admin = (...args: string[]) => rabbitmqadmin(warren.http.port, ...args);

describe('rabbitmqadmin', () => {
  it('declares, lists, publishes, gets, purges and deletes', async () => {
    expect(await admin('declare', 'exchange', 'name=admin-x', 'type=fanout')).toBe('exchange declared');
    expect(await admin('declare', 'queue', 'name=admin-q', 'durable=false')).toBe('queue declared');
    expect(await admin('declare', 'binding', 'source=admin-x', 'destination=admin-q')).toBe('binding declared');
    expect(await admin('publish', 'exchange=admin-x', 'routing_key=any', 'payload=hello')).toBe('Message published');
    expect(await admin('publish', 'exchange=admin-x', 'routing_key=any', 'payload=again')).toBe('Message published');
    expect(await admin('list', 'queues', 'name', 'messages')).toBe('name\tmessages\nadmin-q\t2');
    expect(await admin('list', 'bindings', 'source', 'destination')).toContain('admin-x\tadmin-q');

    const get = (ackmode: string) => admin('get', 'queue=admin-q', `ackmode=${ackmode}`);
    expect(await get('ack_requeue_true')).toMatch(
      /^routing_key\texchange\tmessage_count\tpayload\tpayload_bytes\tpayload_encoding\tredelivered\nany\tadmin-x\t1\thello\t5\tstring\tFalse$/,
    );
    expect(await get('ack_requeue_false')).toMatch(/\thello\t5\tstring\tTrue$/);
    expect(await admin('list', 'queues', 'name', 'messages')).toBe('name\tmessages\nadmin-q\t1');

    expect(await admin('purge', 'queue', 'name=admin-q')).toBe('queue purged');
    expect(await admin('list', 'queues', 'name', 'messages')).toBe('name\tmessages\nadmin-q\t0');
    expect(await admin('delete', 'binding', 'source=admin-x', 'destination_type=queue', 'destination=admin-q')).toBe('binding deleted');
    expect(await admin('delete', 'queue', 'name=admin-q')).toBe('queue deleted');
    expect(await admin('delete', 'exchange', 'name=admin-x')).toBe('exchange deleted');
    expect(await admin('list', 'queues')).toBe('No items');
  });

  it('shows the overview and manages vhosts, users and permissions', async () => {
    expect(await admin('show', 'overview')).toMatch(/^rabbitmq_version\tcluster_name\tqueue_totals.messages\tobject_totals.queues\n3\.10\.8\t/);
    expect(await admin('declare', 'vhost', 'name=admin-v')).toBe('vhost declared');
    expect(await admin('declare', 'user', 'name=admin-u', 'password=secret', 'tags=management')).toBe('user declared');
    expect(await admin('declare', 'permission', 'vhost=admin-v', 'user=admin-u', 'configure=.*', 'write=.*', 'read=.*')).toBe('permission declared');
    expect(await admin('list', 'permissions', 'vhost', 'user')).toContain('admin-v\tadmin-u');
    expect(await admin('delete', 'user', 'name=admin-u')).toBe('user deleted');
    expect(await admin('delete', 'vhost', 'name=admin-v')).toBe('vhost deleted');
  });
});
