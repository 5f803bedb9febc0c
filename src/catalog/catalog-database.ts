import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** The catalog's tables as kysely sees them; grows with each migration. */
export interface CatalogDatabase {
  'modelgres.migrations': { name: string; applied_at: Date | string };
  'modelgres.repeatable_sql': { name: string; checksum: string; applied_at: Date | string };
}

export function catalogDatabase(pool: pg.Pool): Kysely<CatalogDatabase> {
  return new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) });
}
