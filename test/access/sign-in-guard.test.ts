import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IN_FLIGHT_PER_ADDRESS } from '../../server/auth/sign-in-guard';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import { startAccessBroker, type AccessBroker } from './support';

// Sign-in hardening as a guesser meets it: loopback-only users, a cap on
// attempts checked at once per address, and scrypt kept from slowing the
// messages of everyone else.

let b: AccessBroker;

beforeAll(async () => {
  b = await startAccessBroker();
  await b.users.create('app', { password: 'secret' }, []);
  await b.users.setPermission('app', '/', { configure: '.*', write: '.*', read: '.*' });
});

afterAll(async () => {
  await b?.close();
});

describe('loopback users', () => {
  it('refuses guest from an address that is not loopback, and lets it in from loopback', async () => {
    expect(await b.users.authenticate('guest', 'guest', '192.0.2.7')).toEqual({
      ok: false,
      reason: "user 'guest' can only connect via localhost; create another user for remote access",
    });
    expect((await b.users.authenticate('guest', 'guest', '::ffff:127.0.0.1')).ok).toBe(true);
    expect((await b.users.authenticate('app', 'secret', '192.0.2.7')).ok).toBe(true);
  });

  it('follows WARREN_LOOPBACK_USERS: listed users are loopback-only, others are not', async () => {
    const users = new Users(b.db, new AccessControl(), { loopbackUsers: ['app'] });
    await users.load();
    expect((await users.authenticate('guest', 'guest', '192.0.2.8')).ok).toBe(true);
    expect(await users.authenticate('app', 'secret', '192.0.2.8')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("user 'app' can only connect via localhost"),
    });
  });
});

describe('parallel password guessing', () => {
  it('checks at most a few attempts from one address at a time and keeps persistent confirms quick meanwhile', async () => {
    const conn = await amqp.connect(b.url('app', 'secret'));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders', { durable: true });
    const confirmMs = async () => {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => ch.sendToQueue('orders', Buffer.from('x'), { persistent: true }, (err) => (err ? reject(err) : resolve())));
      return performance.now() - started;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) baseline.push(await confirmMs());

    const started = performance.now();
    const guesses = Array.from({ length: 50 }, (_, i) => b.users.authenticate('app', `guess-${i}`, '127.0.0.1'));
    const during: number[] = [];
    const measuring = (async () => {
      for (let i = 0; i < 20; i++) during.push(await confirmMs());
    })();
    const results = await Promise.all(guesses);
    const elapsedMs = performance.now() - started;
    await measuring;
    await conn.close();

    const busy = results.filter((r) => !r.ok && r.reason.startsWith('too many sign-in attempts at once'));
    const checked = results.filter((r) => !r.ok && r.reason === 'wrong user name or password');
    expect(checked.length).toBeLessThanOrEqual(MAX_IN_FLIGHT_PER_ADDRESS);
    expect(busy.length).toBe(50 - checked.length);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(
      `50 parallel guesses: ${checked.length} checked, ${busy.length} refused at once, in ${elapsedMs.toFixed(0)} ms; ` +
        `persistent confirm median ${median(baseline).toFixed(1)} ms before, ${median(during).toFixed(1)} ms during`,
    );
    // Before the cap, confirms took ~495 ms while 50 scrypts ran; a busy machine still stays far below that.
    expect(median(during)).toBeLessThan(150);
  });

  it('lets in every connection of a pool that opens at once with the same user', async () => {
    await b.users.create('pool', { password: 'pool-secret' }, []);
    await b.users.setPermission('pool', '/', { configure: '.*', write: '.*', read: '.*' });
    const opened = await Promise.allSettled(Array.from({ length: 12 }, () => amqp.connect(b.url('pool', 'pool-secret'))));
    const refused = opened.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    for (const r of opened) if (r.status === 'fulfilled') await r.value.close();
    // Before identical sign-ins shared one check, the cap of parallel attempts refused 9 of these 12.
    expect(refused).toEqual([]);
  });

  it('slows the next attempts from an address that failed, and forgets the failures after a success', async () => {
    const address = '198.51.100.9';
    await b.users.authenticate('app', 'wrong', address);
    await b.users.authenticate('app', 'wrong', address);
    const started = performance.now();
    expect((await b.users.authenticate('app', 'secret', address)).ok).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190); // 200 ms after two failures
    const next = performance.now();
    expect((await b.users.authenticate('app', 'secret', address)).ok).toBe(true);
    expect(performance.now() - next).toBeLessThan(150);
  });
});
