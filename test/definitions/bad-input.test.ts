import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDefinitions } from '../../server/definitions/import';
import type { DefinitionsReport } from '../../server/definitions/report';
import { startAccessBroker, type AccessBroker } from '../access/support';
import { withChannel } from '../amqp/helpers';

// Files that must not be applied: each problem is a line naming the object
// and what to change, and nothing of the file is made, not even its good parts.

let b: AccessBroker;
beforeAll(async () => {
  b = await startAccessBroker();
  await withChannel(b.url('guest', 'guest'), (ch) => ch.assertQueue('jobs', { durable: true, arguments: { 'x-max-length': 10 } }));
});
afterAll(async () => {
  await b.close();
});

/** Entries a bad file carries beside its problem: none of them may appear. */
const GOOD_PARTS = {
  vhosts: [{ name: 'fresh' }],
  users: [{ name: 'newcomer', password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] }],
  exchanges: [{ name: 'fresh.events', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
  queues: [{ name: 'fresh.queue', vhost: '/', durable: true, auto_delete: false, arguments: {} }],
};

async function importRefused(file: unknown): Promise<DefinitionsReport> {
  const text = typeof file === 'string' ? file : JSON.stringify(file);
  const report = await importDefinitions({ ...b, version: 'test' }, text, { apply: true });
  expect(report.valid).toBe(false);
  expect(report.applied).toBe(false);
  expect(b.broker.hasVhost('fresh')).toBe(false);
  expect(b.broker.has('/', 'exchange', 'fresh.events')).toBe(false);
  expect(b.broker.has('/', 'queue', 'fresh.queue')).toBe(false);
  expect(b.users.get('newcomer')).toBeNull();
  return report;
}

const errors = (report: DefinitionsReport) => report.lines.filter((l) => l.outcome === 'error').map((l) => `${l.object}: ${l.detail}`);

describe('a definitions file that fails validation', () => {
  it('is not JSON: one line saying so', async () => {
    const report = await importRefused('{"queues": [ {"name": "q"');
    expect(errors(report)).toEqual([expect.stringMatching(/^the file: is not JSON \(.+\): export the definitions again/)]);
  });

  it('has an unknown field, at the top or in an object: named with the object', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      queuez: [],
      queues: [...GOOD_PARTS.queues, { name: 'typo', vhost: '/', durable: true, auto_delete: false, argumnts: {} }],
    });
    expect(errors(report)).toEqual([
      expect.stringMatching(/^queue 'typo' in vhost '\/': has unknown field "argumnts": remove it or correct the spelling$/),
      expect.stringMatching(/^the file: has unknown field "queuez": a RabbitMQ definitions file has rabbit_version, users, vhosts/),
    ]);
  });

  it('has a value of the wrong kind', async () => {
    const report = await importRefused({ ...GOOD_PARTS, queues: [{ name: 'q', vhost: '/', durable: 'yes' }] });
    expect(errors(report)).toEqual([expect.stringMatching(/^queue 'q' in vhost '\/': "durable": expected boolean, received string; correct it in the file$/)]);
  });

  it('has a policy whose pattern is not a valid regular expression: the engine says where', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      policies: [{ name: 'limits', vhost: '/', pattern: '^(orders', 'apply-to': 'queues', definition: { 'max-length': 5 }, priority: 0 }],
    });
    expect(errors(report)).toEqual([
      expect.stringMatching(/^policy 'limits' in vhost '\/': pattern '\^\(orders' at position \d+: .+ — correct it in the file$/),
    ]);
  });

  it('has a permission with a bad pattern', async () => {
    const report = await importRefused({ ...GOOD_PARTS, permissions: [{ user: 'guest', vhost: '/', configure: '[', write: '.*', read: '.*' }] });
    expect(errors(report)).toEqual([
      expect.stringMatching(/^permission of user 'guest' on vhost '\/': configure permission pattern '\[' at position .+: correct the pattern in the file$/),
    ]);
  });

  it('has a queue whose arguments conflict with the existing one: the redeclare error, and how to fix it', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      queues: [...GOOD_PARTS.queues, { name: 'jobs', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 20 } }],
    });
    expect(errors(report)).toEqual([
      "queue 'jobs' in vhost '/': PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'jobs' in vhost '/': received the value '20' of type 'long' but current is the value '10' of type 'long'" +
        " — the queue exists in Warren with other settings: delete it first (its messages go with it), or make the file's match",
    ]);
    expect(b.broker.getQueue('/', 'jobs').arguments).toEqual({ 'x-max-length': 10 });
  });

  it('has a queue argument the engine refuses', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      queues: [{ name: 'neg', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': -1 } }],
    });
    expect(errors(report)).toEqual([
      expect.stringMatching(
        /^queue 'neg' in vhost '\/': PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'neg' in vhost '\/': \{value_negative,-1\} — correct it in the file$/,
      ),
    ]);
  });

  it('has a user whose hash algorithm Warren cannot verify (named, or MD5 when none is given)', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      users: [
        ...GOOD_PARTS.users,
        { name: 'legacy', password_hash: 'kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR', hashing_algorithm: 'rabbit_password_hashing_md5', tags: [] },
        { name: 'old', password_hash: 'kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR', tags: 'administrator' },
      ],
    });
    expect(errors(report)).toEqual([
      expect.stringMatching(
        /^user 'legacy': hashing algorithm 'rabbit_password_hashing_md5' is not one Warren can verify \(rabbit_password_hashing_sha256, rabbit_password_hashing_sha512, warren_password_hashing_scrypt\): give the user a "password"/,
      ),
      expect.stringMatching(/^user 'old': hashing algorithm 'rabbit_password_hashing_md5' \(assumed, as RabbitMQ does, when "hashing_algorithm" is missing\)/),
    ]);
  });

  it('has a sha256 hash of the wrong length', async () => {
    const report = await importRefused({
      ...GOOD_PARTS,
      users: [{ name: 'short', password_hash: 'AAAA', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] }],
    });
    expect(errors(report)).toEqual([
      expect.stringMatching(/^user 'short': "password_hash" is not a rabbit_password_hashing_sha256 hash \(base64 of 36 bytes\)/),
    ]);
  });

  it('gives a permission to a user or vhost that is nowhere', async () => {
    const report = await importRefused({ ...GOOD_PARTS, permissions: [{ user: 'ghost', vhost: '/', configure: '.*', write: '.*', read: '.*' }] });
    expect(errors(report)).toEqual([
      "permission of user 'ghost' on vhost '/': there is no user 'ghost' in the file or in Warren: add the user to the file, or remove this entry",
    ]);
  });

  it('puts a queue in a vhost that is nowhere', async () => {
    const report = await importRefused({ ...GOOD_PARTS, queues: [{ name: 'q', vhost: 'nowhere', durable: true, auto_delete: false, arguments: {} }] });
    expect(errors(report)).toEqual([
      "queue 'q' in vhost 'nowhere': there is no vhost 'nowhere' in the file or in Warren: add it to the file, or create it first",
    ]);
  });

  it('has objects without a vhost (a per-vhost export) imported as a whole file', async () => {
    const report = await importRefused({ ...GOOD_PARTS, queues: [{ name: 'q', durable: true, auto_delete: false, arguments: {} }] });
    expect(errors(report)).toEqual([expect.stringMatching(/^queue 'q': has no "vhost": add one, or import the file into one vhost/)]);
  });
});
