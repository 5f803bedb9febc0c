import pg from 'pg';
import { parse } from 'pg-connection-string';
import { matchesStoredPassword } from './stored-password.ts';

/** A login the dashboard refuses, with the sentence the login page shows. */
export class LoginRefused extends Error {}

const WRONG = 'Wrong role name or password.';

/**
 * Connects to PostgreSQL as `user` with `password`: that connection is the one every page of the
 * session reads through. When PostgreSQL asked for the password, its answer is the verdict. When
 * pg_hba.conf let the role in without asking (trust, as the embedded PostgreSQL does for this
 * machine), the password is checked against the role's stored verifier, read on the proxy's own
 * connection; a role without a password, or a catalog role that cannot read pg_authid, is refused.
 */
export async function connectAsRole(upstreamUrl: string, user: string, password: string, own: pg.Pool): Promise<pg.Client> {
  if (!user || !password) throw new LoginRefused(WRONG);
  let asked = false;
  const client = new pg.Client({
    // The proxy's address and database, another role: pg lets a connection string's user win over `user`.
    ...(parse(upstreamUrl) as pg.ClientConfig),
    user,
    // pg calls it only when PostgreSQL asks for a password.
    password: () => {
      asked = true;
      return password;
    },
    application_name: 'modelgres dashboard',
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') throw new LoginRefused(WRONG);
    throw new LoginRefused(`PostgreSQL refused the connection: ${(error as Error).message}`);
  }
  try {
    if (!asked) await checkStoredPassword(own, user, password);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function checkStoredPassword(own: pg.Pool, user: string, password: string): Promise<void> {
  let stored: string | null;
  try {
    const r = await own.query<{ rolpassword: string | null }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [user]);
    stored = r.rows[0]?.rolpassword ?? null;
  } catch {
    throw new LoginRefused(
      'PostgreSQL lets this role in without a password (trust in pg_hba.conf), and modelgres cannot read its stored password to check it: ask for a password in pg_hba.conf (scram-sha-256).',
    );
  }
  if (stored === null) throw new LoginRefused('This role has no password: set one with ALTER ROLE ... PASSWORD to log in to the dashboard.');
  if (!matchesStoredPassword(stored, user, password)) throw new LoginRefused(WRONG);
}
