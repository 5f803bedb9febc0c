import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * Whether `password` is the one PostgreSQL stored for `user` (pg_authid.rolpassword): a SCRAM-SHA-256
 * verifier (PostgreSQL 10+) or an md5 hash. Used only when pg_hba.conf lets the role in without
 * asking for a password, so connecting as the role proves nothing (see verify-login.ts).
 * Passwords are taken as written: SASLprep changes only non-ASCII ones, which this refuses.
 */
export function matchesStoredPassword(stored: string, user: string, password: string): boolean {
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (scram) {
    const [, iterations, salt, storedKey] = scram;
    const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    return same(createHash('sha256').update(clientKey).digest(), Buffer.from(storedKey, 'base64'));
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    return same(Buffer.from(`md5${createHash('md5').update(password + user).digest('hex')}`), Buffer.from(stored));
  }
  return false;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
