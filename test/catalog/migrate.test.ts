import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { migrateCatalog } from '../../src/catalog/migrate.ts';
import { catalogSqlDir, migrationsDir } from '../../src/catalog/project-paths.ts';
import { createLogger } from '../../src/util/logger.ts';

const log = createLogger('error');
let admin: pg.Client;
let dbUrl: string;

beforeAll(async () => {
  // A database of its own, so the migrations start from nothing.
  admin = new pg.Client(inject('upstreamUrl'));
  await admin.connect();
  await admin.query('drop database if exists migrate_test');
  await admin.query('create database migrate_test');
  const url = new URL(inject('upstreamUrl'));
  url.pathname = '/migrate_test';
  dbUrl = url.toString();
});

afterAll(async () => {
  await admin.query('drop database if exists migrate_test with (force)');
  await admin.end();
});

test('two processes migrating at once apply each migration exactly once', async () => {
  const [a, b] = await Promise.all([migrateCatalog(dbUrl, log), migrateCatalog(dbUrl, log)]);
  const migrations = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
  const sqlFiles = readdirSync(catalogSqlDir).filter((f) => f.endsWith('.sql')).sort();
  expect(migrations[0]).toBe('0001-catalog-schema.sql');
  expect([...a.applied, ...b.applied]).toEqual(migrations);
  expect([...a.refreshed, ...b.refreshed]).toEqual(sqlFiles);
  const again = await migrateCatalog(dbUrl, log);
  expect(again).toEqual({ applied: [], refreshed: [] });

  const c = new pg.Client(dbUrl);
  await c.connect();
  const names = await c.query('select name from modelgres.migrations order by name');
  expect(names.rows.map((r) => r.name)).toEqual(migrations);
  expect((await c.query('select modelgres.catalog_version() as v')).rows[0].v).toBe(migrations.at(-1));
  await c.end();
});

test('ordinary roles can read the catalog but not write it', async () => {
  await migrateCatalog(dbUrl, log);
  const c = new pg.Client(dbUrl);
  await c.connect();
  await c.query(`do $$ begin
    if not exists (select from pg_roles where rolname = 'catalog_reader') then create role catalog_reader login; end if;
  end $$`);
  await c.end();
  const url = new URL(dbUrl);
  url.username = 'catalog_reader';
  const reader = new pg.Client(url.toString());
  await reader.connect();
  expect((await reader.query('select count(*)::int as n from modelgres.installation')).rows[0].n).toBe(1);
  await expect(reader.query('insert into modelgres.installation default values')).rejects.toMatchObject({ code: '42501' });
  await expect(reader.query("insert into modelgres.migrations values ('x')")).rejects.toMatchObject({ code: '42501' });
  await expect(reader.query('create table modelgres.sneaky (n int)')).rejects.toMatchObject({ code: '42501' });
  await reader.end();
});

test('a catalog migrated by a newer modelgres: this one refuses to start and changes nothing', async () => {
  await migrateCatalog(dbUrl, log);
  const c = new pg.Client(dbUrl);
  await c.connect();
  const functions = `SELECT p.oid::regprocedure::text, md5(pg_get_functiondef(p.oid)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'modelgres' AND p.prokind = 'f' ORDER BY 1`;
  try {
    await c.query(`INSERT INTO modelgres.migrations (name) VALUES ('9999-from-a-newer-release.sql')`);
    // As an older release would find it: one of its catalog files differs from what is applied.
    await c.query(`UPDATE modelgres.repeatable_sql SET checksum = 'newer' WHERE name = (SELECT min(name) FROM modelgres.repeatable_sql)`);
    const before = (await c.query(functions)).rows;
    expect(before.length).toBeGreaterThan(10);
    await expect(migrateCatalog(dbUrl, log)).rejects.toThrow(
      'the modelgres catalog in database "migrate_test" was migrated by a newer modelgres (it has 9999-from-a-newer-release.sql, which this one does not know): run the newer modelgres, or upgrade this one',
    );
    expect((await c.query(functions)).rows).toEqual(before);
    expect((await c.query(`SELECT count(*)::int AS n FROM modelgres.repeatable_sql WHERE checksum = 'newer'`)).rows[0].n).toBe(1);
  } finally {
    await c.query(`DELETE FROM modelgres.migrations WHERE name = '9999-from-a-newer-release.sql'`);
    await c.end();
  }
});
