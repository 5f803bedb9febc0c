import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';

const PSQL = '/usr/bin/psql';
const TABLE = `psql_t_${process.pid}`;

let proxy: TestProxy;
let direct: pg.Client;
let dir: string;

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
  dir = mkdtempSync(path.join(os.tmpdir(), 'modelgres-psql-'));
});
afterAll(async () => {
  await direct?.query(`drop table if exists ${TABLE}, ${TABLE}_d, ${TABLE}_e`);
  await proxy.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** psql without ~/.psqlrc (-X), against the proxy or straight to PostgreSQL. */
function psql(args: string[], options: { direct?: boolean; input?: string } = {}): Promise<CommandResult> {
  return runCommand(PSQL, [options.direct ? proxy.upstreamUrl : proxy.url, '-X', ...args], { input: options.input });
}

describe('psql through the proxy', () => {
  test('psql -Atc "select 1+1" prints 2', async () => {
    const r = await psql(['-Atc', 'select 1+1']);
    expect(r).toEqual({ status: 0, stdout: '2\n', stderr: '' });
  });

  test('aligned output of -c is exactly what PostgreSQL gives psql directly', async () => {
    const sql = "select 1 as a, 'x' as b, null::text as c, 2.50::numeric(4,2) as d";
    const r = await psql(['-c', sql]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(' a | b | c |  d   \n---+---+---+------\n 1 | x |   | 2.50\n(1 row)\n\n');
    expect(r.stdout).toBe((await psql(['-c', sql], { direct: true })).stdout);
  });

  test('a script with several statements, \\copy from a CSV file and \\copy to stdout', async () => {
    const csv = path.join(dir, 'rows.csv');
    writeFileSync(csv, 'id,name,score\n1,alpha,1.5\n2,"be, ta",\n3,"ga ""m"" ma",3.25\n');
    const script = path.join(dir, 'script.sql');
    writeFileSync(
      script,
      [
        `create table ${TABLE} (id int primary key, name text, score numeric);`,
        `insert into ${TABLE} values (100, 'hundred', 100); insert into ${TABLE} values (101, 'hundred one', null);`,
        `\\copy ${TABLE} from '${csv}' with (format csv, header)`,
        `select count(*) as n, sum(id) as ids from ${TABLE};`,
        `update ${TABLE} set score = score * 2 where id < 100;`,
        `\\copy (select id, name, score from ${TABLE} order by id) to stdout with (format csv)`,
        `select name from ${TABLE} where id = 3 \\g`,
        '',
      ].join('\n'),
    );
    const r = await psql(['-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        '5|207',
        '1,alpha,3.0',
        '2,"be, ta",',
        '3,"ga ""m"" ma",6.50',
        '100,hundred,100',
        '101,hundred one,',
        'ga "m" ma',
        '',
      ].join('\n'),
    );
    const stored = await direct.query(`select id, name, score::text from ${TABLE} order by id`);
    expect(stored.rows).toEqual([
      { id: 1, name: 'alpha', score: '3.0' },
      { id: 2, name: 'be, ta', score: null },
      { id: 3, name: 'ga "m" ma', score: '6.50' },
      { id: 100, name: 'hundred', score: '100' },
      { id: 101, name: 'hundred one', score: null },
    ]);
  });

  test('\\copy to a file writes every row', async () => {
    const out = path.join(dir, 'out.csv');
    await direct.query(`create table ${TABLE}_e (n int, t text); insert into ${TABLE}_e select g, repeat('x', g % 5) from generate_series(1, 2000) g`);
    const r = await psql(['-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${TABLE}_e to '${out}' with (format csv)`]);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(2001);
    expect(lines[0]).toBe('1,x');
    // An empty string, not NULL: CSV quotes it.
    expect(lines[1999]).toBe('2000,""');
  });

  test('\\d tablename describes the table exactly as psql does directly', async () => {
    await direct.query(
      `create table ${TABLE}_d (id bigint generated always as identity primary key, label varchar(20) not null default 'none', made timestamptz)`,
    );
    const viaProxy = await psql(['-c', `\\d ${TABLE}_d`]);
    expect(viaProxy.stderr).toBe('');
    expect(viaProxy.status).toBe(0);
    expect(viaProxy.stdout).toContain(`Table "public.${TABLE}_d"`);
    expect(viaProxy.stdout).toMatch(/label\s+\| character varying\(20\)\s+\|\s+\| not null \| 'none'::character varying/);
    expect(viaProxy.stdout).toContain(`"${TABLE}_d_pkey" PRIMARY KEY, btree (id)`);
    expect(viaProxy.stdout).toBe((await psql(['-c', `\\d ${TABLE}_d`], { direct: true })).stdout);
  });

  test('an error: exit code 1 for -c, 3 for a script with ON_ERROR_STOP=1, error text on stderr', async () => {
    const c = await psql(['-v', 'ON_ERROR_STOP=1', '-c', 'select 1/0']);
    expect(c.status).toBe(1);
    expect(c.stdout).toBe('');
    expect(c.stderr).toBe('ERROR:  division by zero\n');

    const script = path.join(dir, 'fails.sql');
    writeFileSync(script, "select 'before' as step;\nselect * from no_such_table_here;\nselect 'after' as step;\n");
    const viaProxy = await psql(['-At', '-v', 'ON_ERROR_STOP=1', '-f', script]);
    expect(viaProxy.status).toBe(3);
    expect(viaProxy.stdout).toBe('before\n');
    expect(viaProxy.stderr).toContain('ERROR:  relation "no_such_table_here" does not exist');
    expect(viaProxy.stderr).toContain('LINE 1: select * from no_such_table_here;');
    const straight = await psql(['-At', '-v', 'ON_ERROR_STOP=1', '-f', script], { direct: true });
    expect(viaProxy).toEqual(straight);
  });

  test('psql reading statements from stdin, with variables and a transaction', async () => {
    const input = [
      '\\set n 21',
      'begin;',
      'select :n * 2 as doubled \\gset',
      "select :'doubled' as got;",
      'commit;',
      '',
    ].join('\n');
    const r = await psql(['-At', '-v', 'ON_ERROR_STOP=1'], { input });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('BEGIN\n42\nCOMMIT\n');
    expect(r.status).toBe(0);
  });
});
