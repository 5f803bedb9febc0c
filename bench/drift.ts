/**
 * Large-input benchmark of the statements modelgres answers itself: SHOW MODEL m DRIFT FROM and
 * EVALUATE MODEL over tables of 1M and 10M rows (sizes configurable), against a plain scan of the
 * same rows in PostgreSQL, with the proxy's RSS sampled while each statement runs. A fresh proxy
 * per size, so the figures at each size start from the same idle process. Everything is measured
 * in one run, on an embedded PostgreSQL in a temporary directory; psql is the client.
 *
 *   npm run bench:drift -- [--sizes 1000000,10000000] [--rounds 20] [--depth 4]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchProxies, uniform10, withClient, type Proxy } from './bench-proxies.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { commitMeasured, freePort, procStatusKb, sampleRss, timePsql } from './bench-support.ts';

const usage = `npm run bench:drift -- [--sizes N,M,...] [--rounds R] [--depth D] [--statements drift,regression,binary]

  --sizes    rows of the tables scanned, checked and evaluated (default 1000000,10000000)
  --rounds   boosting rounds of the two XGBOOST models (default 20)
  --depth    their tree depth (default 4)
  --statements  which to measure (default all three: drift,regression,binary)
  --help     this text`;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    rounds: { type: 'string', default: '20' },
    depth: { type: 'string', default: '4' },
    statements: { type: 'string', default: 'drift,regression,binary' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const sizes = values.sizes!.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1000 || n > 100_000_000)) {
  console.error(`--sizes must be integers between 1000 and 100000000\n\n${usage}`);
  process.exit(2);
}
const rounds = Number(values.rounds);
const depth = Number(values.depth);
const chosen = new Set(values.statements!.split(','));
const command = `npm run bench:drift -- --sizes ${sizes.join(',')} --rounds ${rounds} --depth ${depth} --statements ${[...chosen].join(',')}`;

const TRAIN_ROWS = 100_000;
const FEATURES = ['f0', 'f1', 'f2', 'f3'];
const repoRoot = path.resolve(import.meta.dirname, '..');

/** Rows g in [from, to]: four features, a regression target and a binary label that follow them. */
function rowsSql(from: number, to: number): string {
  const cols = FEATURES.map((f, k) => `${uniform10(`g * 8 + ${k}`)} AS ${f}`).join(', ');
  return `SELECT g AS id, f0, f1, f2, f3, f0 * 3 - f1 * 2 + sin(f2) * 5 + (noise / 10 - 0.5) AS y,
                 f0 - f1 + (noise - 5) / 2 > 0 AS label
            FROM (SELECT g, ${cols}, ${uniform10('g * 8 + 7')} AS noise
                    FROM generate_series(${from}::int8, ${to}::int8) AS g) s`;
}

const proxies = new BenchProxies();

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const log = (line: string) => console.log(line);

/** utime + stime of a process (all its threads), and with `children` of its reaped children, in seconds (Linux /proc). */
function cpuSeconds(pid: number, children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14-17 of stat (utime, stime, cutime, cstime), counted from the state field (3).
    const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / 100;
  } catch {
    return 0; // gone
  }
}

/** The postmaster's live children (backends, parallel workers, its own processes). */
function postgresChildren(postmaster: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === postmaster) children.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return children;
}

/** CPU seconds used so far by PostgreSQL: the postmaster, its live children, and those that ended. */
function postgresCpuSeconds(postmaster: number): number {
  return postgresChildren(postmaster).reduce((total, pid) => total + cpuSeconds(pid), cpuSeconds(postmaster, true));
}

/**
 * Waits (up to 5 s) until the backends that served a statement have ended and been reaped, so that
 * their CPU is in the postmaster's cutime rather than lost between two readings.
 */
async function backendsEnded(postmaster: number, before: readonly number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (postgresChildren(postmaster).some((pid) => !before.includes(pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Measured { seconds: number; startKb: number; peakKb: number; proxyCpu: number; postgresCpu: number }

/**
 * Times one statement through psql while sampling the proxy's RSS, with the CPU seconds the proxy
 * and PostgreSQL spent on it: on a machine others load too, CPU moves less than wall time.
 */
async function measured(proxy: Proxy | null, url: string, sql: string): Promise<Measured> {
  const pid = proxy?.child.pid;
  const startKb = pid ? (procStatusKb(pid, 'VmRSS') ?? 0) : 0;
  const rss = pid ? sampleRss(pid, 20) : null;
  const [proxyCpu, postgresCpu] = [pid ? cpuSeconds(pid) : 0, postgresCpuSeconds(postmaster)];
  const backends = postgresChildren(postmaster);
  try {
    const seconds = await timePsql(url, sql);
    await backendsEnded(postmaster, backends);
    return { seconds, startKb, peakKb: rss?.stop() ?? 0, proxyCpu: (pid ? cpuSeconds(pid) : 0) - proxyCpu, postgresCpu: postgresCpuSeconds(postmaster) - postgresCpu };
  } catch (error) {
    rss?.stop();
    throw error;
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-drift-'));
let server: EmbeddedServer | null = null;
let postmaster = 0;
const summary: string[] = [];
try {
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const direct = server.url;
  // The postmaster: the parent of any backend.
  postmaster = await withClient(direct, async (c) => {
    const backend = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    return Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  });
  let t0 = performance.now();
  await withClient(direct, async (c) => {
    await c.query(`CREATE TABLE train AS ${rowsSql(1_000_000_000_001, 1_000_000_000_000 + TRAIN_ROWS)}`);
    for (const n of sizes) {
      await c.query(`CREATE TABLE big_${n} AS ${rowsSql(1, n)}`);
      await c.query(`VACUUM (ANALYZE) big_${n}`);
    }
  });
  log(`data: train ${TRAIN_ROWS} rows; ${sizes.map((n) => `big_${n}`).join(', ')} (id, f0..f3 float8, y float8, label bool), ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let proxy = await proxies.start(server.socketUrl);
  t0 = performance.now();
  const hyper = `HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '${rounds}', MAX_DEPTH '${depth}')`;
  await withClient(proxy.url, async (c) => {
    await c.query(`CREATE MODEL reg FROM (SELECT f0, f1, f2, f3, y FROM train) TARGET y FUNCTION reg_fn
                     AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' ${hyper}`);
    await c.query(`CREATE MODEL bin FROM (SELECT f0, f1, f2, f3, label FROM train) TARGET label FUNCTION bin_fn
                     AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic' ${hyper}`);
    for (const m of ['reg', 'bin']) {
      const r = await c.query(`WAIT FOR MODEL ${m} TIMEOUT 1800`);
      if (r.rows[0]?.state !== 'READY') throw new Error(`WAIT FOR MODEL ${m} answered ${JSON.stringify(r.rows)}`);
    }
  });
  log(`models: reg (regression) and bin (binary), XGBOOST ${rounds} rounds depth ${depth} on ${TRAIN_ROWS} rows, READY after ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  for (const n of sizes) {
    await proxies.stop(proxy);
    proxy = await proxies.start(server.socketUrl);
    const select = `SELECT f0, f1, f2, f3 FROM big_${n}`;
    // The plain scan also warms PostgreSQL's buffers for what follows.
    await timePsql(direct, `SELECT count(*) FROM (${select}) s`);
    const scanned = await measured(null, direct, `SELECT count(*) FROM (${select}) s`);
    const scan = scanned.seconds;
    const read = await timePsql(direct, select);
    log(`\n${n} rows, fresh proxy (RSS ${mb(procStatusKb(proxy.child.pid!, 'VmRSS') ?? 0)})`);
    log(`  plain scan, directly: SELECT count(*) FROM (${select}) s: ${scan.toFixed(2)} s, PostgreSQL CPU ${scanned.postgresCpu.toFixed(2)} s`);
    log(`  plain read by psql, directly: ${select}: ${read.toFixed(2)} s`);
    const statements = [
      ['drift', 'DRIFT', `SHOW MODEL reg DRIFT FROM (${select})`],
      ['regression', 'EVALUATE regression', `EVALUATE MODEL reg FROM (SELECT f0, f1, f2, f3, y FROM big_${n})`],
      ['binary', 'EVALUATE binary (auc)', `EVALUATE MODEL bin FROM (SELECT f0, f1, f2, f3, label FROM big_${n})`],
    ] as const;
    for (const [key, what, sql] of statements) {
      if (!chosen.has(key)) continue;
      const m = await measured(proxy, proxy.url, sql);
      const cpu = m.proxyCpu + m.postgresCpu;
      const line = `${what}: ${m.seconds.toFixed(2)} s (${(m.seconds / scan).toFixed(1)}x the scan), CPU ${cpu.toFixed(2)} s (proxy ${m.proxyCpu.toFixed(2)}, PostgreSQL ${m.postgresCpu.toFixed(2)}; ${(cpu / scanned.postgresCpu).toFixed(1)}x the scan's), proxy RSS ${mb(m.startKb)} -> peak ${mb(m.peakKb)}`;
      log(`  ${line}    [${sql}]`);
      summary.push(`${n} rows  ${line}`);
    }
  }
  await proxies.stop(proxy);
  log(`\nsummary (${commitMeasured(repoRoot)}, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
  for (const line of summary) log(`  ${line}`);
  log(`command: ${command}`);
} finally {
  await proxies.stopAll();
  await server?.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
