import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { sql } from 'kysely';
import { Umzug, type UmzugStorage } from 'umzug';
import { catalogDatabase, type CatalogDatabase } from './catalog-database.ts';
import type { Kysely } from 'kysely';
import { catalogSqlDir, migrationsDir } from './project-paths.ts';
import type { Logger } from '../util/logger.ts';
import { backgroundPool } from './background-pool.ts';

/** pg_advisory_lock key shared by every modelgres process: "modelgres" as an int8. */
const MIGRATION_LOCK = 7_300_426_561_733_942_131n;

export interface MigrationReport {
  applied: string[];
  refreshed: string[];
}

/**
 * Brings the catalog up to date: ordered migrations from migrations/ (each once, in its own
 * transaction), then the catalog's functions and views from sql/ whenever their text changed.
 * Two proxies starting together serialise on an advisory lock, so each step runs once.
 */
export async function migrateCatalog(url: string, log: Logger): Promise<MigrationReport> {
  const pool = backgroundPool({ connectionString: url, max: 2 });
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    await lock.query(`
      CREATE SCHEMA IF NOT EXISTS modelgres;
      CREATE TABLE IF NOT EXISTS modelgres.migrations (
        name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS modelgres.repeatable_sql (
        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      REVOKE ALL ON SCHEMA modelgres FROM PUBLIC;
      GRANT USAGE ON SCHEMA modelgres TO PUBLIC;
      REVOKE ALL ON modelgres.migrations, modelgres.repeatable_sql FROM PUBLIC;`);
    const db = catalogDatabase(pool);
    await refuseNewerCatalog(db, url);
    const umzug = new Umzug({
      migrations: {
        glob: ['*.sql', { cwd: migrationsDir }],
        resolve: ({ name, path: file }) => ({
          name,
          up: async () => runInTransaction(pool, await readFile(file!, 'utf8')),
        }),
      },
      storage: migrationStorage(db),
      logger: undefined,
    });
    const applied = (await umzug.up()).map((m) => m.name);
    for (const name of applied) log.info(`catalog migration applied: ${name}`);
    const refreshed = await refreshCatalogSql(pool, db);
    for (const name of refreshed) log.info(`catalog functions refreshed: ${name}`);
    return { applied, refreshed };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => {});
    lock.release();
    await pool.end();
  }
}

/**
 * A catalog that a newer modelgres migrated has steps this one does not know, and this one would
 * put its own older catalog functions back over the newer ones (sql/ is applied whenever its text
 * differs) under the proxies that need them. So it stops before changing anything: during a
 * rolling upgrade, the old processes keep running and new old ones do not start.
 */
async function refuseNewerCatalog(db: Kysely<CatalogDatabase>, url: string): Promise<void> {
  const known = new Set((await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')));
  const unknown = (await db.selectFrom('modelgres.migrations').select('name').orderBy('name').execute()).map((r) => r.name).filter((name) => !known.has(name));
  if (unknown.length === 0) return;
  const database = new URL(url).pathname.slice(1) || 'postgres';
  throw new Error(
    `the modelgres catalog in database "${database}" was migrated by a newer modelgres (it has ${unknown.join(', ')}, which this one does not know): run the newer modelgres, or upgrade this one`,
  );
}

function migrationStorage(db: Kysely<CatalogDatabase>): UmzugStorage {
  return {
    async executed() {
      const rows = await db.selectFrom('modelgres.migrations').select('name').orderBy('name').execute();
      return rows.map((r) => r.name);
    },
    async logMigration({ name }) {
      await db.insertInto('modelgres.migrations').values({ name, applied_at: sql`now()` }).execute();
    },
    async unlogMigration({ name }) {
      await db.deleteFrom('modelgres.migrations').where('name', '=', name).execute();
    },
  };
}

/**
 * sql/ files hold CREATE OR REPLACE definitions, and later files build on earlier ones. When any
 * file changed, all of them are applied again in name order, in one transaction: re-applying one
 * alone could replace a definition a later file depends on.
 */
async function refreshCatalogSql(pool: pg.Pool, db: Kysely<CatalogDatabase>): Promise<string[]> {
  const files = (await readdir(catalogSqlDir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  const known = new Map(
    (await db.selectFrom('modelgres.repeatable_sql').select(['name', 'checksum']).execute()).map((r) => [r.name, r.checksum]),
  );
  const texts = await Promise.all(files.map((name) => readFile(path.join(catalogSqlDir, name), 'utf8')));
  const checksums = texts.map((text) => createHash('sha256').update(text).digest('hex'));
  const changed = files.filter((name, i) => known.get(name) !== checksums[i]);
  if (changed.length === 0) return [];
  await runInTransaction(pool, texts.join('\n;\n'), async (client) => {
    for (const [i, name] of files.entries()) {
      await client.query(
        `INSERT INTO modelgres.repeatable_sql (name, checksum) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
        [name, checksums[i]],
      );
    }
  });
  return changed;
}

async function runInTransaction(
  pool: pg.Pool,
  text: string,
  after?: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(text);
    await after?.(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
