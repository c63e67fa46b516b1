/**
 * Password hashes between a definitions file (`password_hash` with its
 * `hashing_algorithm`) and Warren's stored form `<scheme>$<hash>`
 * (auth/passwords.ts). RabbitMQ's sha256 and sha512 hashes are kept as they
 * are and verified as RabbitMQ does; Warren's own scrypt hashes are written
 * as `warren_password_hashing_scrypt`, which only Warren reads back.
 * As in RabbitMQ, a user without `hashing_algorithm` has an MD5 hash (files
 * older than RabbitMQ 3.6), which Warren does not verify.
 */
import { importedRabbitHash, RABBIT_HASHING, type RabbitHashing } from '../auth/passwords';
import { WARREN_SCRYPT } from './format';

const RABBIT_MD5 = 'rabbit_password_hashing_md5';
/** Salt (4 bytes) and digest. */
const RABBIT_HASH_BYTES: Record<RabbitHashing, number> = { rabbit_password_hashing_sha256: 4 + 32, rabbit_password_hashing_sha512: 4 + 64 };
const KNOWN = [...Object.keys(RABBIT_HASHING), WARREN_SCRYPT];

export type FileSecret = { ok: true; secret: { password: string } | { passwordHash: string } } | { ok: false; problem: string };

export function secretFromFile(user: { password_hash?: string; password?: string; hashing_algorithm?: string }): FileSecret {
  if (user.password_hash === undefined) {
    if (user.password !== undefined) return { ok: true, secret: { password: user.password } };
    return { ok: false, problem: 'has neither "password_hash" nor "password": add one of them' };
  }
  const algorithm = user.hashing_algorithm ?? RABBIT_MD5;
  const hash = user.password_hash;
  if (algorithm in RABBIT_HASHING) {
    const bytes = Buffer.from(hash, 'base64');
    const expected = RABBIT_HASH_BYTES[algorithm as RabbitHashing];
    if (hash !== '' && (bytes.length !== expected || bytes.toString('base64') !== hash)) {
      return {
        ok: false,
        problem: `"password_hash" is not a ${algorithm} hash (base64 of ${expected} bytes): export the user again from RabbitMQ, or give a "password" instead`,
      };
    }
    return { ok: true, secret: { passwordHash: importedRabbitHash(algorithm as RabbitHashing, hash) } };
  }
  if (algorithm === WARREN_SCRYPT) {
    if (!/^\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash)) {
      return {
        ok: false,
        problem: `"password_hash" is not a ${WARREN_SCRYPT} hash (N$r$p$salt$hash): export the user again from Warren, or give a "password" instead`,
      };
    }
    return { ok: true, secret: { passwordHash: `scrypt$${hash}` } };
  }
  const assumed = user.hashing_algorithm === undefined ? ' (assumed, as RabbitMQ does, when "hashing_algorithm" is missing)' : '';
  return {
    ok: false,
    problem: `hashing algorithm '${algorithm}'${assumed} is not one Warren can verify (${KNOWN.join(', ')}): give the user a "password" in the file instead, or set the password again in RabbitMQ 3.6 or later and export again`,
  };
}

/** The stored form as a file writes it. */
export function secretForFile(stored: string): { password_hash: string; hashing_algorithm: string } {
  const scheme = stored.slice(0, stored.indexOf('$'));
  const hash = stored.slice(scheme.length + 1);
  return { password_hash: hash, hashing_algorithm: scheme === 'scrypt' ? WARREN_SCRYPT : scheme };
}
