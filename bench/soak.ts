/**
 * Soak: many clients at once through one modelgres for a minute, each mixing passthrough queries,
 * one-row model calls, 100k-row model calls, INSERT ... SELECT write-back and SHOW MODEL, while one
 * of them issues a CREATE MODEL every few seconds (trained by the proxy's own worker). Prints the
 * errors (goal 0), transactions per second and p50/p99 latency of each kind, and the proxy's RSS
 * at start, after warm-up, at its peak and at the end (goal: no growth after warm-up). Runs on an
 * embedded PostgreSQL in a temporary directory; the proxy is `modelgres start` with its defaults.
 *
 *   npm run bench:soak -- [--clients 200] [--seconds 60] [--warmup 20] [--rows 100000] [--create-every 5] [--big-at-once 4]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { commitMeasured, freePort, goalLines, percentile, procStatusKb, stopChild, waitForLine, type Goal } from './bench-support.ts';
import { npmStartEnv } from './as-npm-start.ts';

const usage = `npm run bench:soak -- [--clients 200] [--seconds 60] [--warmup 20] [--rows 100000] [--create-every 5] [--big-at-once 4]

  --clients N        concurrent client connections (default 200)
  --seconds N        length of the load (default 60), warm-up included
  --warmup N         seconds at the start not counted in rates and latencies; the RSS after
                     them is the baseline for growth (default 20: on a loaded 2-core machine the
                     first 100k-row calls and trainings end only then, and RSS rises until they do)
  --rows N           rows of the table the big model call reads whole (default 100000)
  --create-every N   seconds between CREATE MODEL statements (default 5)
  --big-at-once N    most big model calls in flight at once, so the bench's own process can
                     hold their rows (default 4)
  --help             this text`;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '20' },
    rows: { type: 'string', default: '100000' },
    'create-every': { type: 'string', default: '5' },
    'big-at-once': { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
function whole(flag: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${flag} must be a whole number from ${min} to ${max}, not ${text}\n\n${usage}`);
    process.exit(2);
  }
  return n;
}
const clients = whole('clients', values.clients, 1, 10_000);
const seconds = whole('seconds', values.seconds, 1, 86_400);
const warmup = whole('warmup', values.warmup, 0, seconds - 1);
const rows = whole('rows', values.rows, 1000, 10_000_000);
const createEvery = whole('create-every', values['create-every'], 1, 3600);
const bigAtOnce = whole('big-at-once', values['big-at-once'], 1, 1000);
const command =
  `npm run bench:soak -- --clients ${clients} --seconds ${seconds} --warmup ${warmup} --rows ${rows}` +
  ` --create-every ${createEvery} --big-at-once ${bigAtOnce}`;

const repoRoot = path.resolve(import.meta.dirname, '..');
const FEATURES = ['f0', 'f1', 'f2', 'f3', 'f4'];
const FEATURE_LIST = FEATURES.join(', ');
const TRAIN_ROWS = 5000;
const WRITE_BACK_ROWS = 1000;

/** The kinds of transaction, and how often a client picks each (CREATE MODEL goes by the clock). */
const KINDS = ['passthrough', 'call 1 row', `call ${rows} rows`, 'write-back', 'SHOW MODEL', 'CREATE MODEL'] as const;
type Kind = (typeof KINDS)[number];
const WEIGHTS: Array<[Kind, number]> = [
  ['passthrough', 40],
  ['call 1 row', 40],
  [`call ${rows} rows`, 4],
  ['write-back', 8],
  ['SHOW MODEL', 8],
];
const BIG: Kind = `call ${rows} rows`;

/** A deterministic pseudo-random float8 in [0, 10) from a bigint seed expression. */
function uniform10(seed: string): string {
  return `((hashint8(${seed}) & 2147483647)::float8 / 2147483648 * 10)`;
}

const randomId = () => 1 + Math.floor(Math.random() * rows);

interface Tally {
  latenciesMs: number[];
  errors: number;
}
const tallies = new Map<Kind, Tally>(KINDS.map((k) => [k, { latenciesMs: [], errors: 0 }]));
const firstErrors: string[] = [];
let bigInFlight = 0;
let modelsCreated = 0;

function pickKind(): Kind {
  const choices = WEIGHTS.filter(([k]) => k !== BIG || bigInFlight < bigAtOnce);
  let r = Math.random() * choices.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of choices) {
    r -= w;
    if (r < 0) return k;
  }
  return choices[0][0];
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong answer: ${what}`);
}

/** One transaction of the kind; throws on an error or a wrong answer. */
async function run(kind: Kind, c: pg.Client): Promise<void> {
  switch (kind) {
    case 'passthrough': {
      const id = randomId();
      const r = await c.query({ text: `SELECT id, f0 FROM t WHERE id = ${id}`, rowMode: 'array' });
      return check(r.rows.length === 1 && Number(r.rows[0][0]) === id, `passthrough row ${id}`);
    }
    case 'call 1 row': {
      const r = await c.query({ text: `SELECT soak_fn(${FEATURE_LIST}) FROM t WHERE id = ${randomId()}`, rowMode: 'array' });
      return check(r.rows.length === 1 && Number.isFinite(Number(r.rows[0][0])), 'one prediction');
    }
    case BIG: {
      bigInFlight += 1;
      try {
        const r = await c.query({ text: `SELECT id, soak_fn(${FEATURE_LIST}) FROM t`, rowMode: 'array' });
        return check(r.rows.length === rows && r.rows.every((row) => row[1] !== null), `${rows} predictions`);
      } finally {
        bigInFlight -= 1;
      }
    }
    case 'write-back': {
      const from = 1 + Math.floor(Math.random() * (rows - WRITE_BACK_ROWS));
      const r = await c.query(`INSERT INTO wb SELECT id, soak_fn(${FEATURE_LIST}) FROM t WHERE id BETWEEN ${from} AND ${from + WRITE_BACK_ROWS - 1}`);
      return check(r.rowCount === WRITE_BACK_ROWS, `INSERT ${WRITE_BACK_ROWS} rows`);
    }
    case 'SHOW MODEL': {
      const r = await c.query('SHOW MODEL soak_model');
      return check(r.rows.length > 0, 'SHOW MODEL rows');
    }
    case 'CREATE MODEL': {
      const n = ++modelsCreated;
      await c.query(
        `CREATE MODEL soak_m${n} FROM (SELECT ${FEATURE_LIST}, y FROM train WHERE id % 3 = ${n % 3}) TARGET y FUNCTION soak_m${n}_fn
         AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '3')`,
      );
      return;
    }
  }
}

function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  // A dropped connection then fails the query in flight instead of crashing the run.
  c.on('error', () => {});
  return c.connect().then(() => c);
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** The proxy's VmRSS every half second, with the time it was read (seconds since the load began). */
const rssSamples: Array<{ at: number; kb: number }> = [];

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const commit = commitMeasured(repoRoot);
const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-soak-'));
let server: EmbeddedServer | null = null;
let proxy: ChildProcess | null = null;
let proxyStopping = false;
const sessions: pg.Client[] = [];
try {
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const setup = await connect(server.url);
  await setup.query(
    `CREATE TABLE t AS SELECT g AS id, ${FEATURES.map((f, k) => `${uniform10(`g * 8 + ${k}`)} AS ${f}`).join(', ')}
       FROM generate_series(1::int8, ${rows}::int8) AS g`,
  );
  await setup.query('ALTER TABLE t ADD PRIMARY KEY (id)');
  await setup.query(
    `CREATE TABLE train AS SELECT id, ${FEATURE_LIST}, f0 * 3 - f1 * 2 + sin(f2) * 5 + f3 * f4 / 10 AS y
       FROM (SELECT g AS id, ${FEATURES.map((f, k) => `${uniform10(`g * 8 + ${k} + 1000000000`)} AS ${f}`).join(', ')}
               FROM generate_series(1::int8, ${TRAIN_ROWS}::int8) AS g) s`,
  );
  await setup.query('CREATE TABLE wb (id int8, p float8)');
  await setup.query('VACUUM ANALYZE');
  const maxConnections = (await setup.query('SHOW max_connections')).rows[0].max_connections as string;
  await setup.end();

  const port = await freePort();
  proxy = spawn(process.execPath, ['dist/cli.js', 'start', '--upstream', server.url, '--port', String(port), '--log-level', 'warn'], {
    cwd: repoRoot,
    env: npmStartEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  proxy.once('exit', (code, signal) => {
    if (!proxyStopping) console.error(`modelgres (pid ${proxy?.pid}) exited unexpectedly: ${code ?? signal}`);
  });
  await waitForLine(proxy, 'modelgres is ready');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pid = proxy.pid!;

  const creator = await connect(url);
  let t0 = performance.now();
  await creator.query(
    `CREATE MODEL soak_model FROM (SELECT ${FEATURE_LIST}, y FROM train) TARGET y FUNCTION soak_fn
     AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '50', MAX_DEPTH '5')`,
  );
  const ready = await creator.query('WAIT FOR MODEL soak_model TIMEOUT 600');
  if (ready.rows[0]?.state !== 'READY') throw new Error(`WAIT FOR MODEL soak_model answered ${JSON.stringify(ready.rows)}`);
  await creator.end();
  console.log(`setup: t ${rows} rows x 5 float8, soak_model (XGBoost 50 rounds, depth 5) READY after ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  t0 = performance.now();
  for (let i = 0; i < clients; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, clients - i) }, () => connect(url)));
    sessions.push(...batch);
  }
  console.log(`${clients} clients connected in ${((performance.now() - t0) / 1000).toFixed(1)} s (PostgreSQL max_connections ${maxConnections})`);

  const rssAtStart = procStatusKb(pid, 'VmRSS') ?? 0;
  const proxyCpuAtStart = cpuSeconds(pid);
  const benchCpuAtStart = process.cpuUsage();
  const loadStart = performance.now();
  const elapsed = () => (performance.now() - loadStart) / 1000;
  const sampler = setInterval(() => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== null) rssSamples.push({ at: elapsed(), kb });
  }, 500);
  let nextCreate = createEvery;

  const loop = async (c: pg.Client, index: number) => {
    while (elapsed() < seconds) {
      let kind = pickKind();
      if (index === 0 && elapsed() >= nextCreate) {
        kind = 'CREATE MODEL';
        nextCreate += createEvery;
      }
      const startedAt = elapsed();
      const t = performance.now();
      try {
        await run(kind, c);
        if (startedAt >= warmup) tallies.get(kind)!.latenciesMs.push(performance.now() - t);
      } catch (error) {
        tallies.get(kind)!.errors += 1;
        if (firstErrors.length < 10) firstErrors.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(sessions.map((c, i) => loop(c, i)));
  const loadSeconds = elapsed();
  clearInterval(sampler);
  const rssAtEnd = procStatusKb(pid, 'VmRSS') ?? 0;
  const proxyCpu = cpuSeconds(pid) - proxyCpuAtStart;
  const benchCpuUsage = process.cpuUsage(benchCpuAtStart);
  const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1e6;

  // Every model created under load trains to READY (the worker catches up after the load).
  const waiter = await connect(url);
  let trained = 0;
  for (let n = 1; n <= modelsCreated; n++) {
    const r = await waiter.query(`WAIT FOR MODEL soak_m${n} TIMEOUT 600`).catch((e: Error) => ({ rows: [{ state: e.message }] }));
    if (r.rows[0]?.state === 'READY') trained += 1;
    else if (firstErrors.length < 10) firstErrors.push(`WAIT FOR MODEL soak_m${n}: ${JSON.stringify(r.rows[0])}`);
  }
  await waiter.end();

  // --- report ----------------------------------------------------------------------------------
  const measured = loadSeconds - warmup;
  const errors = [...tallies.values()].reduce((s, t) => s + t.errors, 0) + (modelsCreated - trained);
  console.log(`\nsoak: ${command}`);
  console.log(`commit ${commit}, ${new Date().toISOString().slice(0, 10)}; rates and latencies over the ${measured.toFixed(0)} s after the warm-up\n`);
  const header = ['kind', 'tx', 'tx/s', 'p50 ms', 'p99 ms', 'errors'];
  const table = KINDS.map((k) => {
    const t = tallies.get(k)!;
    const l = t.latenciesMs;
    return [
      k,
      String(l.length),
      (l.length / measured).toFixed(1),
      l.length ? percentile(l, 50).toFixed(1) : '-',
      l.length ? percentile(l, 99).toFixed(1) : '-',
      String(t.errors),
    ];
  });
  const all = KINDS.flatMap((k) => tallies.get(k)!.latenciesMs);
  table.push(['all', String(all.length), (all.length / measured).toFixed(1), percentile(all, 50).toFixed(1), percentile(all, 99).toFixed(1), String(errors)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  for (const r of [header, ...table]) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  console.log(`CREATE MODEL under load: ${modelsCreated}, READY afterwards: ${trained}`);
  if (firstErrors.length) console.log(`first errors:\n  ${firstErrors.join('\n  ')}`);

  const afterWarmup = rssSamples.find((s) => s.at >= warmup)?.kb ?? rssAtStart;
  // Growth compares the mean of the first and the last third of the samples after the warm-up:
  // one sample lands anywhere on the garbage collector's saw-tooth (±30 MB with 100k-row calls).
  const steady = rssSamples.filter((s) => s.at >= warmup).map((s) => s.kb);
  const third = Math.max(1, Math.floor(steady.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const firstThird = mean(steady.slice(0, third));
  const lastThird = mean(steady.slice(-third));
  const peak = Math.max(rssAtStart, rssAtEnd, ...rssSamples.map((s) => s.kb));
  const trend = Array.from({ length: Math.floor(seconds / 10) + 1 }, (_, k) => rssSamples.find((s) => s.at >= k * 10)?.kb)
    .map((kb, k) => (kb === undefined ? null : `${k * 10}s ${mb(kb)}`))
    .filter((x) => x !== null);
  console.log(`\nproxy RSS: start ${mb(rssAtStart)}, after warm-up ${mb(afterWarmup)}, peak ${mb(peak)}, end ${mb(rssAtEnd)}`);
  console.log(`proxy RSS after warm-up, mean of the first third ${mb(firstThird)}, of the last third ${mb(lastThird)}`);
  console.log(`proxy RSS every 10 s: ${trend.join(', ')}`);
  const share = (cpu: number) => `${cpu.toFixed(1)} s (${((cpu / loadSeconds) * 100).toFixed(0)}% of one core)`;
  console.log(`CPU over the ${loadSeconds.toFixed(0)} s of load: proxy ${share(proxyCpu)}, this bench's clients ${share(benchCpu)}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`);
  const goals: Goal[] = [
    { measure: 'errors', value: errors, op: '<=', target: 0, digits: 0 },
    { measure: 'RSS growth after warm-up (last third / first third)', value: lastThird / firstThird, op: '<=', target: 1.1 },
  ];
  for (const line of goalLines(goals)) console.log(line);
} finally {
  // Ended once, here: pg's end() of a client already ended never resolves.
  await Promise.all(sessions.map((c) => c.end().catch(() => {})));
  if (proxy) {
    proxyStopping = true;
    await stopChild(proxy);
  }
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
