import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { backgroundPool } from '../../src/catalog/background-pool.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client(inject('upstreamUrl'));
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
});

test('a checked-out client whose connection PostgreSQL ends between statements does not end the process', async () => {
  const pool = backgroundPool({ connectionString: inject('upstreamUrl'), max: 1 });
  try {
    // Held as kysely holds one inside a transaction: checked out, no statement running, no listener.
    const held = await pool.connect();
    const pid = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const ended = new Promise<void>((resolve) => held.once('end', () => resolve()));
    // PostgreSQL sends the backend's FATAL 57P01, as at a shutdown: an 'error' on an idle client.
    const terminated = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(terminated.rows[0].ok).toBe(true);
    await ended;
    // The holder learns of it from its next statement, and the pool drops the client.
    const failure = await held.query('SELECT 1').then(() => null, (e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    held.release(failure!);
    const again = await pool.query<{ n: number }>('SELECT 41 + 1 AS n');
    expect(again.rows[0].n).toBe(42);
  } finally {
    await pool.end();
  }
});
