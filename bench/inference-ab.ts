/**
 * Two checkouts of modelgres side by side on one PostgreSQL, in alternating rounds, so that the
 * load of a shared machine touches both alike: the scoring query (b), the write-back (c), one-row
 * latency and pgbench with 16 clients calling the model (simple and -M prepared). For deciding whether a change pays; the
 * full table of goals is bench/inference.ts.
 *
 *   node --import tsx bench/inference-ab.ts --base /path/to/other/checkout [--rows 300000] [--rounds 3]
 *
 * The other checkout needs node_modules (a symlink to this one's will do); `--new DIR` measures
 * another checkout than this one (say a `git archive` of HEAD, without uncommitted work).
 * `--cpu-prof DIR` runs the new proxy under node --cpu-prof, writing its profiles to DIR when it
 * stops. (b) and (c) print the proxy's CPU per row, all threads and its main thread alone (the
 * event loop's; the rest is mostly onnxruntime's threads), and PostgreSQL's: on a loaded machine
 * CPU per row moves less than rows/s does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { cpuReading, postmasterPid } from './process-cpu.ts';
import { freePort, median, percentile, pgbenchTps, stopChild, timePsql, waitForLine } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    new: { type: 'string' },
    rows: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
    'pgbench-seconds': { type: 'string', default: '5' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'save-onnx': { type: 'string' },
  },
});
if (!values.base) {
  console.error('usage: node --import tsx bench/inference-ab.ts --base DIR [--new DIR] [--rows N] [--rounds N] [--pgbench-seconds S] [--only b,c,latency,pgbench,pgbench-prepared] [--cpu-prof DIR] [--save-onnx FILE]');
  process.exit(2);
}
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const pgbenchSeconds = Number(values['pgbench-seconds']);
const only = new Set((values.only ?? 'b,c,latency,pgbench,pgbench-prepared').split(','));
const here = path.resolve(import.meta.dirname, '..');
const checkouts = { base: path.resolve(values.base), new: path.resolve(values.new ?? here) };
const FEATURES = Array.from({ length: 10 }, (_, k) => `f${k}`).join(', ');
const uniform10 = (seed: string) => `((hashint8(${seed}) & 2147483647)::float8 / 2147483648 * 10)`;

async function startProxy(server: EmbeddedServer, root: string, profileDir?: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  // A profiled proxy trains nothing: its profile holds the measured work only.
  const workers = profileDir ? ['--workers', '0'] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/cli.ts', 'start', '--upstream', server.socketUrl, '--port', String(port), '--log-level', 'warn', ...workers], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForLine(child, 'modelgres is ready');
  return { child, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  // A connection ended by the server's shutdown is no failure of the run.
  c.on('error', () => {});
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * User and system CPU time of a process so far, in ms (/proc/pid/stat, clock ticks of 10 ms); of
 * its main thread only (the event loop's: the onnxruntime threads left out) with `task`.
 */
function cpuMs(pid: number, task: 'all' | 'main' = 'all'): number {
  const file = task === 'main' ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-ab-'));
const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
/** PostgreSQL's CPU per row is read from the postmaster and its backends (process-cpu.ts). */
const postmaster = postmasterPid(path.join(dir, 'pg'));
const proxies: Record<string, { child: ChildProcess; url: string }> = {};
try {
  const cols = FEATURES.split(', ').map((f, k) => `${uniform10(`g * 16 + ${k}`)} AS ${f}`).join(', ');
  await sql(server.url, `CREATE TABLE t AS SELECT g AS id, ${cols} FROM generate_series(1::int8, ${rows}::int8) AS g`);
  await sql(
    server.url,
    `CREATE TABLE train AS SELECT ${FEATURES}, f0 * 3 - f1 * 2 + sin(f2) * 5 + (noise / 10 - 0.5) AS y
       FROM (SELECT ${cols}, ${uniform10('g * 16 + 10')} AS noise FROM generate_series(1000000000001::int8, 1000000200000::int8) AS g) s`,
  );
  await sql(server.url, 'CREATE TABLE out (id int8, p float8)');
  await sql(server.url, 'VACUUM (ANALYZE) t');
  proxies.base = await startProxy(server, checkouts.base);
  proxies.new = await startProxy(server, checkouts.new, values['cpu-prof']);
  // Trained through the base proxy, so that a profile of the new one holds the measured work only.
  await sql(
    proxies.base.url,
    `CREATE MODEL bench_model FROM train TARGET y FUNCTION bench_fn AUTO OFF MODEL_TYPE XGBOOST
     OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '100', MAX_DEPTH '6')`,
  );
  await sql(proxies.base.url, 'WAIT FOR MODEL bench_model TIMEOUT 1800');
  if (values['save-onnx']) {
    const m = await sql(server.url, "SELECT onnx FROM modelgres.model_version WHERE state = 'READY' ORDER BY version DESC LIMIT 1");
    await writeFile(values['save-onnx'], m.rows[0].onnx as Buffer);
  }
  const randoms = Array.from({ length: 10 }, () => 'random()*10').join(', ');
  const script = path.join(dir, 'model.sql');
  await writeFile(script, `select bench_fn(${randoms});\n`);
  // Both answer the same, first: a benchmark of wrong answers is worth nothing.
  const check = `SELECT id, bench_fn(${FEATURES}) FROM t WHERE id <= 1000 ORDER BY id`;
  const [a, b] = await Promise.all([sql(proxies.base.url, check), sql(proxies.new.url, check)]);
  if (JSON.stringify(a.rows) !== JSON.stringify(b.rows)) throw new Error('the two checkouts predict differently');

  const results: Record<string, Record<string, number[]>> = { base: {}, new: {} };
  const note = (who: string, what: string, v: number) => {
    (results[who][what] ??= []).push(v);
    console.log(`${who.padEnd(4)} ${what.padEnd(30)} ${v.toFixed(v < 100 ? 3 : 0)}`);
  };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first.
    const order = round % 2 === 1 ? (['base', 'new'] as const) : (['new', 'base'] as const);
    for (const who of order) {
      const url = proxies[who].url;
      if (only.has('b')) {
        const cpu0 = cpuMs(proxies[who].child.pid!);
        const main0 = cpuMs(proxies[who].child.pid!, 'main');
        const pg0 = cpuReading(postmaster, proxies[who].child.pid!).pg;
        note(who, '(b) rows/s', rows / (await timePsql(url, `SELECT id, bench_fn(${FEATURES}) FROM t`)));
        note(who, '(b) proxy CPU µs/row', ((cpuMs(proxies[who].child.pid!) - cpu0) * 1000) / rows);
        note(who, '(b) main thread CPU µs/row', ((cpuMs(proxies[who].child.pid!, 'main') - main0) * 1000) / rows);
        note(who, '(b) PostgreSQL CPU µs/row', ((cpuReading(postmaster, proxies[who].child.pid!).pg - pg0) * 1e6) / rows);
      }
      if (only.has('c')) {
        await sql(url, 'TRUNCATE out');
        const cpu0 = cpuMs(proxies[who].child.pid!);
        const main0 = cpuMs(proxies[who].child.pid!, 'main');
        const pg0 = cpuReading(postmaster, proxies[who].child.pid!).pg;
        note(who, '(c) rows/s', rows / (await timePsql(url, `INSERT INTO out SELECT id, bench_fn(${FEATURES}) FROM t`)));
        note(who, '(c) proxy CPU µs/row', ((cpuMs(proxies[who].child.pid!) - cpu0) * 1000) / rows);
        note(who, '(c) main thread CPU µs/row', ((cpuMs(proxies[who].child.pid!, 'main') - main0) * 1000) / rows);
        note(who, '(c) PostgreSQL CPU µs/row', ((cpuReading(postmaster, proxies[who].child.pid!).pg - pg0) * 1e6) / rows);
      }
      if (only.has('latency')) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        const times: number[] = [];
        for (let i = 0; i < 600; i++) {
          const s = process.hrtime.bigint();
          await c.query('SELECT bench_fn(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)');
          if (i >= 100) times.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
        await c.end();
        note(who, 'p50 one-row ms', percentile(times, 50));
      }
      for (const protocol of ['simple', 'prepared'] as const) {
        const key = protocol === 'simple' ? 'pgbench' : 'pgbench-prepared';
        if (!only.has(key)) continue;
        const suffix = protocol === 'simple' ? '' : ' -M prepared';
        const cpu0 = cpuMs(proxies[who].child.pid!);
        const tps = await pgbenchTps(url, script, { clients: 16, threads: 2, seconds: pgbenchSeconds, protocol });
        note(who, `pgbench 16c tps${suffix}`, tps);
        // The proxy's own CPU per call: less at the mercy of other load on the machine than tps.
        note(who, `proxy CPU ms/call${suffix}`, (cpuMs(proxies[who].child.pid!) - cpu0) / (tps * pgbenchSeconds));
      }
    }
  }
  console.log(`\n${rows} rows, ${rounds} alternating rounds; medians, new / base:`);
  for (const what of Object.keys(results.new)) {
    const n = median(results.new[what]);
    const b0 = median(results.base[what]);
    console.log(`${what.padEnd(30)} base ${b0.toFixed(3)}  new ${n.toFixed(3)}  ratio ${(n / b0).toFixed(3)}`);
  }
} finally {
  for (const p of Object.values(proxies)) await stopChild(p.child);
  await server.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
