// What a script sees of the management API: refusals in RabbitMQ's JSON with
// its status codes, pagination, publish, get in each ackmode and Warren's
// peek, purge; checked through amqplib where a message's fate matters.
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, call, type Target } from './scenario';
import { startManagementServer, type ManagementServer } from './support';

let warren: ManagementServer;
let guest: Target;

beforeAll(async () => {
  warren = await startManagementServer();
  guest = warren.target;
});
afterAll(() => warren?.close());

const json = { 'content-type': 'application/json' };

async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${guest.http}/api${path}`, init);
}

/** Declares a queue holding the given messages (published through the default exchange by amqplib). */
async function queueWith(name: string, bodies: string[], args: Record<string, unknown> = {}): Promise<void> {
  expect((await call(guest, 'PUT', `/queues/%2F/${name}`, { durable: false, arguments: args })).status).toBe(201);
  const conn = await amqp.connect(guest.amqp);
  const ch = await conn.createConfirmChannel();
  for (const body of bodies) ch.sendToQueue(name, Buffer.from(body));
  await ch.waitForConfirms();
  await conn.close();
}

/** Ready messages of a queue, as an AMQP client sees them. */
async function depth(name: string): Promise<number> {
  const conn = await amqp.connect(guest.amqp);
  try {
    const ch = await conn.createChannel();
    return (await ch.checkQueue(name)).messageCount;
  } finally {
    await conn.close();
  }
}

describe('refusals', () => {
  it('asks for credentials with 401 and WWW-Authenticate', async () => {
    const res = await raw('/queues');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await res.json()).toMatchObject({ error: 'not_authorized', reason: expect.stringContaining('basic authentication') });
  });

  it('refuses a wrong password with 401 not_authorized', async () => {
    const res = await call(guest, 'GET', '/queues', undefined, basicAuth('guest', 'wrong'));
    expect(res).toMatchObject({ status: 401, body: { error: 'not_authorized', reason: expect.stringContaining('wrong user name or password') } });
  });

  it('refuses changes by a monitoring user with 401 not_authorised, as RabbitMQ does, and lets them read', async () => {
    expect((await call(guest, 'PUT', '/users/watcher', { password: 'w-pass', tags: 'monitoring' })).status).toBe(201);
    const watcher = warren.as('watcher', 'w-pass');
    expect((await call(watcher, 'GET', '/queues')).status).toBe(200);
    const res = await call(watcher, 'PUT', '/queues/%2F/by-watcher', { durable: true });
    expect(res).toMatchObject({
      status: 401,
      body: { error: 'not_authorised', reason: "User 'watcher' may only look (monitoring): changes need the management tag." },
    });
    expect((await call(watcher, 'GET', '/users')).status).toBe(401);
    await call(guest, 'PUT', '/queues/%2F/watched', {});
    expect((await call(watcher, 'POST', '/queues/%2F/watched/get', { count: 1, ackmode: 'peek' })).status).toBe(200);
    expect((await call(watcher, 'POST', '/queues/%2F/watched/get', { count: 1, ackmode: 'ack_requeue_true' })).status).toBe(401);
    expect((await call(guest, 'GET', '/queues/%2F/by-watcher')).status).toBe(404);
  });

  it('keeps a management user to the vhosts they have a permission on', async () => {
    await call(guest, 'PUT', '/vhosts/theirs');
    await call(guest, 'PUT', '/vhosts/others');
    await call(guest, 'PUT', '/users/manager', { password: 'm-pass', tags: ['management'] });
    await call(guest, 'PUT', '/permissions/theirs/manager', { configure: '.*', write: '.*', read: '.*' });
    const manager = warren.as('manager', 'm-pass');
    expect((await call(manager, 'PUT', '/queues/theirs/q', {})).status).toBe(201);
    expect(await call(manager, 'PUT', '/queues/others/q', {})).toMatchObject({
      status: 401,
      body: { reason: "User 'manager' has no permission on vhost 'others'." },
    });
    const vhosts = (await call(manager, 'GET', '/vhosts')).body as { name: string }[];
    expect(vhosts.map((v) => v.name)).toEqual(['theirs']);
  });

  it('answers 404 Object Not Found for a missing queue, vhost or endpoint', async () => {
    expect(await call(guest, 'GET', '/queues/%2F/nope')).toMatchObject({
      status: 404,
      body: { error: 'Object Not Found', reason: "no queue 'nope' in vhost '/'" },
    });
    expect(await call(guest, 'GET', '/vhosts/nope')).toMatchObject({ status: 404, body: { error: 'Object Not Found' } });
    expect(await call(guest, 'GET', '/no-such-thing')).toMatchObject({ status: 404, body: { error: 'Object Not Found' } });
  });

  it('answers 400 bad_request for a body that is not JSON and for inequivalent arguments', async () => {
    const bad = await call(guest, 'PUT', '/queues/%2F/badjson', '{"durable": tru');
    expect(bad).toMatchObject({ status: 400, body: { error: 'bad_request', reason: expect.stringMatching(/^not_json: the body is not JSON/) } });
    await call(guest, 'PUT', '/queues/%2F/limited', { arguments: { 'x-max-length': 10 } });
    const differs = await call(guest, 'PUT', '/queues/%2F/limited', { arguments: { 'x-max-length': 7 } });
    expect(differs).toMatchObject({ status: 400, body: { error: 'bad_request', reason: expect.stringContaining("inequivalent arg 'x-max-length'") } });
  });

  it('says in the overview how long samples are kept: 15 minutes of seconds, then 7 days of minutes', async () => {
    const week = 7 * 86_400;
    expect(await call(guest, 'GET', '/overview')).toMatchObject({
      status: 200,
      body: { sample_retention_policies: { global: [900, week], basic: [900, week], detailed: [] } },
    });
  });

  it('answers 405 naming the methods a path takes', async () => {
    expect(await call(guest, 'POST', '/overview', {})).toMatchObject({ status: 405, body: { reason: 'POST is not allowed on /api/overview: use GET.' } });
  });

  it('refuses a change from a foreign Origin (a page driving a browser), in the same JSON shape', async () => {
    const res = await raw('/queues/%2F/cross', {
      method: 'PUT',
      headers: { ...json, origin: 'http://evil.example', authorization: basicAuth('guest', 'guest') },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'forbidden', reason: expect.stringContaining('Cross-site request refused') });
  });

  it('exports definitions in RabbitMQ format, imports them back (204), and refuses a bad file whole (400)', async () => {
    await call(guest, 'PUT', '/vhosts/defs');
    await call(guest, 'PUT', '/queues/defs/kept', { durable: true, arguments: { 'x-max-length': 7 } });
    const exported = await call(guest, 'GET', '/definitions/defs');
    expect(exported.status).toBe(200);
    const file = exported.body as { queues: { name: string; arguments: Record<string, unknown> }[] };
    expect(file.queues).toEqual([expect.objectContaining({ name: 'kept', arguments: { 'x-max-length': 7 } })]);

    await call(guest, 'PUT', '/vhosts/copy');
    expect((await call(guest, 'POST', '/definitions/copy', file)).status).toBe(204);
    expect((await call(guest, 'GET', '/queues/copy/kept')).body).toMatchObject({ name: 'kept', arguments: { 'x-max-length': 7 } });

    const bad = await call(guest, 'POST', '/definitions/copy', { queues: [{ name: 'other', durable: true, arguments: { 'x-max-length': -1 } }] });
    expect(bad).toMatchObject({ status: 400, body: { error: 'bad_request', reason: expect.stringContaining('nothing was imported') } });
    expect((await call(guest, 'GET', '/queues/copy/other')).status).toBe(404);
    expect((await call(guest, 'GET', '/definitions/nowhere')).status).toBe(404);
  });
});

describe('pagination', () => {
  beforeAll(async () => {
    await call(guest, 'PUT', '/vhosts/paged');
    for (const name of ['a1', 'a2', 'b1', 'b2', 'b3', 'c1', 'C2']) await call(guest, 'PUT', `/queues/paged/${name}`, {});
  });

  it('pages, filters by name ignoring case and sorts, with RabbitMQ page fields', async () => {
    const page = await call(guest, 'GET', '/queues/paged?page=3&page_size=3');
    expect(page.body).toMatchObject({ filtered_count: 7, item_count: 1, page: 3, page_count: 3, page_size: 3, total_count: 7, items: [{ name: 'c1' }] });
    const named = (await call(guest, 'GET', '/queues/paged?page=1&name=C&sort=name&sort_reverse=true')).body as {
      items: { name: string }[];
      filtered_count: number;
    };
    expect(named.items.map((q) => q.name)).toEqual(['c1', 'C2']);
    const regex = (await call(guest, 'GET', '/queues/paged?page=1&name=%5Eb%5B12%5D&use_regex=true')).body as { items: { name: string }[] };
    expect(regex.items.map((q) => q.name)).toEqual(['b1', 'b2']);
  });

  it('ignores name without page and keeps only the columns asked for', async () => {
    const all = (await call(guest, 'GET', '/queues/paged?name=zzz&columns=name,messages')).body as object[];
    expect(all).toHaveLength(7);
    expect(all[0]).toEqual({ name: 'C2', messages: 0 });
  });

  it('refuses pages out of range and sizes over 500', async () => {
    expect(await call(guest, 'GET', '/queues/paged?page=4&page_size=3')).toMatchObject({ status: 400, body: { error: 'page_out_of_range' } });
    expect(await call(guest, 'GET', '/queues/paged?page=1&page_size=501')).toMatchObject({ status: 400, body: { error: 'invalid_pagination_parameters' } });
    expect(await call(guest, 'GET', '/queues/paged?page=one')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await call(guest, 'GET', '/queues/paged?page=1&name=(a&use_regex=true')).toMatchObject({
      status: 400,
      body: { reason: expect.stringContaining("name filter '(a'") },
    });
  });
});

describe('messages', () => {
  it('publishes through an exchange and says whether a queue took it', async () => {
    await call(guest, 'PUT', '/queues/%2F/published', {});
    const routed = await call(guest, 'POST', '/exchanges/%2F/amq.default/publish', {
      routing_key: 'published',
      payload: 'aGk=',
      payload_encoding: 'base64',
      properties: { headers: { n: 1 } },
    });
    expect(routed).toMatchObject({ status: 200, body: { routed: true } });
    expect((await call(guest, 'POST', '/exchanges/%2F/amq.default/publish', { routing_key: 'nowhere', payload: 'x', properties: {} })).body).toEqual({
      routed: false,
    });
    const [got] = (await call(guest, 'POST', '/queues/%2F/published/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' })).body as Record<
      string,
      unknown
    >[];
    expect(got).toMatchObject({
      payload: 'hi',
      payload_encoding: 'string',
      payload_bytes: 2,
      routing_key: 'published',
      exchange: '',
      properties: { headers: { n: 1 } },
      message_count: 0,
    });
  });

  it('peeks without taking or marking anything', async () => {
    await queueWith('peeked', ['one', 'two', 'three']);
    const peeked = (await call(guest, 'POST', '/queues/%2F/peeked/get', { count: 2, ackmode: 'peek' })).body as Record<string, unknown>[];
    expect(peeked.map((m) => [m.payload, m.redelivered, m.message_count])).toEqual([
      ['one', false, 2],
      ['two', false, 1],
    ]);
    expect(await depth('peeked')).toBe(3);
    const again = (await call(guest, 'POST', '/queues/%2F/peeked/get', { count: 1, ackmode: 'ack_requeue_true' })).body as Record<string, unknown>[];
    expect(again[0]).toMatchObject({ payload: 'one', redelivered: false });
  });

  it('requeues with ack_requeue_true and reject_requeue_true: the message is there again, redelivered', async () => {
    await queueWith('requeued', ['a', 'b']);
    for (const ackmode of ['ack_requeue_true', 'reject_requeue_true']) {
      const res = await call(guest, 'POST', '/queues/%2F/requeued/get', { count: '2', ackmode, encoding: 'auto' });
      expect((res.body as unknown[]).length).toBe(2);
      expect(await depth('requeued')).toBe(2);
    }
    const [first] = (await call(guest, 'POST', '/queues/%2F/requeued/get', { count: 1, ackmode: 'peek' })).body as Record<string, unknown>[];
    expect(first).toMatchObject({ payload: 'a', redelivered: true });
  });

  it('removes with ack_requeue_false and dead-letters with reject_requeue_false', async () => {
    await queueWith('dead', []);
    await queueWith('taken', ['x', 'y', 'z'], { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' });
    expect(((await call(guest, 'POST', '/queues/%2F/taken/get', { count: 1, ackmode: 'ack_requeue_false' })).body as unknown[]).length).toBe(1);
    expect(await depth('taken')).toBe(2);
    expect(await depth('dead')).toBe(0);
    await call(guest, 'POST', '/queues/%2F/taken/get', { count: 1, ackmode: 'reject_requeue_false' });
    expect(await depth('taken')).toBe(1);
    expect(await depth('dead')).toBe(1);
    expect(await call(guest, 'POST', '/queues/%2F/taken/get', { count: 1, ackmode: 'take_it' })).toMatchObject({
      status: 400,
      body: { reason: expect.stringContaining('ackmode must be one of') },
    });
  });

  it('purges with DELETE .../contents and records it in the audit trail', async () => {
    await queueWith('purged', ['1', '2', '3', '4']);
    const res = await call(guest, 'DELETE', '/queues/%2F/purged/contents');
    expect(res.status).toBe(204);
    expect(await depth('purged')).toBe(0);
    const audit = await warren.http.services.db.prisma.auditEntry.findMany({ where: { action: 'queue.purge' } });
    expect(audit.map((a) => [a.user, a.target, JSON.parse(a.details)])).toEqual([['guest', "queue 'purged' in vhost '/'", { purged: 4 }]]);
  });

  it('shows the queue figures scripts read', async () => {
    await queueWith('figures', ['1', '2']);
    const q = (await call(guest, 'GET', '/queues/%2F/figures')).body as Record<string, unknown>;
    expect(q).toMatchObject({
      name: 'figures',
      vhost: '/',
      messages: 2,
      messages_ready: 2,
      messages_unacknowledged: 0,
      consumers: 0,
      message_stats: { publish: 2 },
    });
    expect((q.message_stats as { publish_details: { rate: number } }).publish_details.rate).toBeTypeOf('number');
  });
});

describe('users, vhosts and permissions', () => {
  it('makes a user who can then connect over AMQP to a new vhost, and deletes them', async () => {
    expect((await call(guest, 'PUT', '/vhosts/made')).status).toBe(201);
    expect((await call(guest, 'PUT', '/vhosts/made')).status).toBe(204);
    expect((await call(guest, 'PUT', '/users/maker', { password: 'mk-pass', tags: '' })).status).toBe(201);
    expect((await call(guest, 'PUT', '/permissions/made/maker', { configure: '.*', write: '.*', read: '.*' })).status).toBe(201);
    const conn = await amqp.connect(`${warren.as('maker', 'mk-pass').amqp}/made`);
    await conn.close();
    expect((await call(guest, 'GET', '/users/maker')).body).toEqual({ name: 'maker', tags: [], hashing_algorithm: 'scrypt', limits: {} });
    expect((await call(guest, 'PUT', '/users/maker', { tags: 'management' })).status).toBe(204);
    expect((await call(guest, 'PUT', '/users/maker', { password: 'new-pass' })).status).toBe(204);
    expect((await call(guest, 'GET', '/users/maker')).body).toMatchObject({ tags: ['management'] });
    await (await amqp.connect(`${warren.as('maker', 'new-pass').amqp}/made`)).close();
    await expect(amqp.connect(`${warren.as('maker', 'mk-pass').amqp}/made`)).rejects.toThrow();
    expect((await call(guest, 'DELETE', '/users/maker')).status).toBe(204);
    expect((await call(guest, 'GET', '/users/maker')).status).toBe(404);
    expect((await call(guest, 'DELETE', '/vhosts/made')).status).toBe(204);
  });

  it('sets topic permissions that a publisher then meets, lists and clears them', async () => {
    expect((await call(guest, 'PUT', '/users/topical', { password: 'tp-pass', tags: '' })).status).toBe(201);
    expect((await call(guest, 'PUT', '/permissions/%2F/topical', { configure: '.*', write: '.*', read: '.*' })).status).toBe(201);
    const put = await call(guest, 'PUT', '/topic-permissions/%2F/topical', { exchange: 'amq.topic', write: '^metrics\\.', read: '.*' });
    expect(put.status).toBe(201);
    expect((await call(guest, 'GET', '/topic-permissions/%2F/topical')).body).toEqual([
      { user: 'topical', vhost: '/', exchange: 'amq.topic', write: '^metrics\\.', read: '.*' },
    ]);
    const conn = await amqp.connect(warren.as('topical', 'tp-pass').amqp);
    const ch = await conn.createChannel();
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.publish('amq.topic', 'metrics.cpu', Buffer.from('1'));
    ch.publish('amq.topic', 'billing.paid', Buffer.from('2'));
    expect((await closed).message).toContain("access to topic 'billing.paid' in exchange 'amq.topic' in vhost '/' refused for user 'topical'");
    await conn.close();
    expect((await call(guest, 'PUT', '/topic-permissions/%2F/topical', { exchange: 'amq.topic', write: '(', read: '' })).body).toMatchObject({
      error: 'bad_request',
      reason: expect.stringContaining("topic permission write pattern '(' at position 1"),
    });
    expect((await call(guest, 'DELETE', '/topic-permissions/%2F/topical')).status).toBe(204);
    expect((await call(guest, 'GET', '/topic-permissions/%2F/topical')).status).toBe(404);
    expect((await call(guest, 'DELETE', '/users/topical')).status).toBe(204);
  });

  it('refuses an unknown tag with the tags Warren has', async () => {
    const res = await call(guest, 'PUT', '/users/tagged', { password: 'p', tags: 'impersonator' });
    expect(res).toMatchObject({ status: 400, body: { error: 'bad_request', reason: expect.stringContaining("Unknown tag 'impersonator'") } });
  });
});
