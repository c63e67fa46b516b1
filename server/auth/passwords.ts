/**
 * Password hashes. New ones are scrypt from node:crypto, stored as
 * `scrypt$N$r$p$<salt base64>$<hash base64>` so the cost can change later
 * without breaking stored hashes. Hashes imported from RabbitMQ keep working:
 * `rabbit_password_hashing_sha256$<base64>` (and `_sha512`), where the base64
 * is RabbitMQ's own: a 4-byte salt followed by hash(salt + UTF-8 password).
 *
 * scrypt runs on libuv's thread pool, which also carries the journal's fsyncs:
 * at most SCRYPT_SLOTS run at once (the rest wait in line, a bounded one), so
 * a burst of sign-in attempts cannot delay publisher confirms or take both cores.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Slots } from './slots';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SCRYPT_SLOTS = 1;
/** Attempts waiting for scrypt beyond this are refused at once (see SignInGuard for the per-address limit). */
const SCRYPT_WAITING_MAX = 32;

export const RABBIT_HASHING = { rabbit_password_hashing_sha256: 'sha256', rabbit_password_hashing_sha512: 'sha512' } as const;
export type RabbitHashing = keyof typeof RABBIT_HASHING;

export class HashingBusyError extends Error {}

const slots = new Slots(SCRYPT_SLOTS, SCRYPT_WAITING_MAX);

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return slots.run(
    () => new Promise((resolve, reject) => scryptCb(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)))),
    () => new HashingBusyError('too many sign-in attempts are being checked; try again in a moment'),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A hash from a RabbitMQ definitions file (`password_hash` with its `hashing_algorithm`), in the stored form. */
export function importedRabbitHash(algorithm: RabbitHashing, passwordHash: string): string {
  return `${algorithm}$${passwordHash}`;
}

/** RabbitMQ's form of a hash, for tests and exports: base64(salt + hash(salt + password)). */
export function rabbitHash(algorithm: RabbitHashing, password: string, salt = randomBytes(4)): string {
  const digest = createHash(RABBIT_HASHING[algorithm]).update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** Which scheme a stored hash uses: 'scrypt' or a RabbitMQ algorithm name. */
export function hashingOf(stored: string): string {
  return stored.slice(0, stored.indexOf('$'));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const kind = hashingOf(stored);
  if (kind in RABBIT_HASHING) {
    const raw = Buffer.from(stored.slice(kind.length + 1), 'base64');
    if (raw.length <= 4) return false;
    const actual = Buffer.from(rabbitHash(kind as RabbitHashing, password, raw.subarray(0, 4)), 'base64');
    return actual.length === raw.length && timingSafeEqual(actual, raw);
  }
  const [, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
