import { inject, test, expect } from 'vitest';
import pg from 'pg';

test('the test PostgreSQL answers', async () => {
  const c = new pg.Client(inject('upstreamUrl'));
  await c.connect();
  const r = await c.query('select 40 + 2 as n');
  expect(r.rows[0].n).toBe(42);
  await c.end();
});
