/**
 * Compiled-body benchmark: the inference benchmark's model (XGBOOST, 100 rounds, depth 6, 10
 * float8 features f0..f9, trained on rows like bench/inference.ts's) compiled to SQL by
 * src/compile and evaluated by PostgreSQL itself, one backend, no JIT, no parallel workers:
 *
 *   SELECT sum(bench_fn(f0, ..., f9)) FROM t      -- t: N rows
 *
 * against `SELECT sum(f0 + ... + f9) FROM t` (reading the rows alone). Prints the body's form,
 * whether the planner inlined it, and rows per second (median of the rounds).
 *
 *   node --import tsx bench/compiled-body.ts [--rows 1000000] [--train-rows 200000] [--rounds 3] [--url URL]
 *
 * --url runs on that PostgreSQL (say a PostgreSQL 15) instead of the embedded one, in a schema
 * of its own that it drops at the end.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compileModelFunction } from '../src/compile/index.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { train, type TrainingColumn } from '../src/training/index.ts';
import { freePort, median } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'train-rows': { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    url: { type: 'string' },
  },
});
const rows = Number(values.rows);
const trainRows = Number(values['train-rows']);
const rounds = Number(values.rounds);
const FEATURES = Array.from({ length: 10 }, (_, k) => `f${k}`);
const FEATURE_LIST = FEATURES.join(', ');
const log = (line: string) => console.log(`[compiled-body] ${line}`);

/** bench/inference.ts's uniform [0, 10) column from a seed expression. */
function uniform10(seed: string): string {
  return `((hashint8(${seed}) & 2147483647)::float8 / 2147483648 * 10)`;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-compiled-body-'));
let server: EmbeddedServer | undefined;
let client: pg.Client | undefined;
const schema = `compiled_body_${process.pid}`;
try {
  if (!values.url) server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const c = new pg.Client(values.url ?? server!.url);
  client = c;
  await c.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path = ${schema}`);
  const version = (await client.query('SHOW server_version')).rows[0].server_version as string;
  const cols = FEATURES.map((f, k) => `${uniform10(`g * 16 + ${k}`)} AS ${f}`).join(', ');
  await client.query(`CREATE TABLE t AS SELECT g AS id, ${cols} FROM generate_series(1::int8, ${rows}::int8) AS g`);
  await client.query('VACUUM (ANALYZE) t');
  const trainOffset = 1_000_000_000_000;
  const data = await client.query({
    text: `SELECT ${FEATURE_LIST}, f0 * 3 - f1 * 2 + sin(f2) * 5 + (noise / 10 - 0.5) AS y
             FROM (SELECT ${cols}, ${uniform10('g * 16 + 10')} AS noise
                     FROM generate_series(${trainOffset + 1}::int8, ${trainOffset + trainRows}::int8) AS g) s`,
    rowMode: 'array',
  });
  const columns: TrainingColumn[] = FEATURES.map((name, k) => ({ name, type: 'float8', values: data.rows.map((r: number[]) => r[k]) }));
  const target: TrainingColumn = { name: 'y', type: 'float8', values: data.rows.map((r: number[]) => r[10]) };
  let t0 = performance.now();
  const model = await train(columns, target, { modelType: 'XGBOOST', objective: 'reg:squarederror', hyperparameters: { num_round: '100', max_depth: '6' } });
  log(`model: XGBOOST 100 rounds depth 6 on ${trainRows} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  t0 = performance.now();
  const compiled = compileModelFunction({
    onnx: model.onnx, ioPlan: null, classes: null, problemType: 'REGRESSION',
    parameterTypes: FEATURES.map(() => 'float8'), returnType: 'float8', output: 'value',
  });
  if (!('body' in compiled)) throw new Error(compiled.unsupported);
  const { language, body, immutable } = compiled.body;
  log(`compiled in ${(performance.now() - t0).toFixed(0)} ms: LANGUAGE ${language}${immutable ? ' IMMUTABLE' : ''}, ${body.length} characters`);
  await client.query(
    `CREATE FUNCTION bench_fn(${FEATURES.map(() => 'float8').join(', ')}) RETURNS float8 LANGUAGE ${language} ${immutable ? 'IMMUTABLE' : 'STABLE'} PARALLEL SAFE AS $mg$${body}$mg$`,
  );
  await client.query('SET jit = off');
  await client.query('SET max_parallel_workers_per_gather = 0');
  const modelSql = `SELECT sum(bench_fn(${FEATURE_LIST})) FROM t`;
  const plainSql = `SELECT sum(${FEATURES.join(' + ')}) FROM t`;
  const plan = (await client.query(`EXPLAIN (VERBOSE) ${modelSql}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  const inlined = !plan.includes('bench_fn');
  log(`PostgreSQL ${version}${values.url ? ' (--url)' : ' (embedded)'}, SET jit = off, max_parallel_workers_per_gather = 0; the planner ${inlined ? 'inlined the body (no function call per row)' : 'calls bench_fn per row'}`);
  // The machine may be shared: besides wall time, the backend's own CPU time (utime + stime of
  // its process, when it runs here) says what one backend does with a core to itself.
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const cpuSeconds = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
    } catch {
      return null;
    }
  };
  const time = async (sql: string) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const cpuStart = cpuSeconds();
      await c.query(sql);
      wall.push((performance.now() - start) / 1000);
      const cpuEnd = cpuSeconds();
      if (cpuStart !== null && cpuEnd !== null) cpu.push(cpuEnd - cpuStart);
    }
    return { wall: median(wall), cpu: cpu.length === rounds ? median(cpu) : null };
  };
  const report = (sql: string, t: { wall: number; cpu: number | null }) =>
    log(`${sql}: ${(rows / t.wall).toFixed(0)} rows/s wall (median of ${rounds}, ${t.wall.toFixed(2)} s)` +
      (t.cpu === null ? '' : `, ${(rows / t.cpu).toFixed(0)} rows per backend CPU second (${t.cpu.toFixed(2)} s)`));
  const plain = await time(plainSql);
  const timed = await time(modelSql);
  const withModel = timed.wall;
  report(plainSql, plain);
  report(modelSql, timed);
  // An inlined body is parsed and planned again by every statement that calls it.
  const oneCall = `SELECT bench_fn(${FEATURES.map((_, k) => k + 0.5).join(', ')})`;
  const single = await time(oneCall);
  log(`${oneCall}: ${(single.wall * 1000).toFixed(1)} ms per statement (median of ${rounds}; the inlined body is parsed and planned each time)`);
  const perCpu = timed.cpu === null ? '' : `; per backend CPU second ${rows / timed.cpu >= 50_000 ? 'met' : 'NOT met'}`;
  log(`goal: >= 50000 rows/s compiled model evaluated in PostgreSQL: wall ${rows / withModel >= 50_000 ? 'met' : 'NOT met'}${perCpu} (load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores)`);
} finally {
  await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await client?.end().catch(() => {});
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
