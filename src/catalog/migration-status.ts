import { readdir } from 'node:fs/promises';
import type pg from 'pg';
import { migrationsDir } from './project-paths.ts';

/**
 * The migrations in migrations/ that the catalog has not applied (none: the catalog is current).
 * A catalog without the migrations table at all has applied none.
 */
export async function pendingMigrations(client: pg.ClientBase | pg.Pool): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
  const table = await client.query<{ present: boolean }>(`SELECT to_regclass('modelgres.migrations') IS NOT NULL AS present`);
  if (!table.rows[0].present) return files;
  const applied = new Set((await client.query<{ name: string }>('SELECT name FROM modelgres.migrations')).rows.map((r) => r.name));
  return files.filter((f) => !applied.has(f));
}
