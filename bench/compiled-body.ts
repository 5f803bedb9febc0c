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
 *   node --import tsx bench/compiled-body.ts [--rows 1000000] [--train-rows 200000] [--rounds 3]
 */
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
const c = new pg.Client();
try {
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const client = new pg.Client(server.url);
  await client.connect();
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
  log(`PostgreSQL ${version}, SET jit = off, max_parallel_workers_per_gather = 0; the planner ${inlined ? 'inlined the body (no function call per row)' : 'calls bench_fn per row'}`);
  const time = async (sql: string) => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      await client.query(sql);
      times.push((performance.now() - start) / 1000);
    }
    return median(times);
  };
  const plain = await time(plainSql);
  const withModel = await time(modelSql);
  log(`${plainSql}: ${(rows / plain).toFixed(0)} rows/s (median of ${rounds}, ${plain.toFixed(2)} s)`);
  log(`${modelSql}: ${(rows / withModel).toFixed(0)} rows/s (median of ${rounds}, ${withModel.toFixed(2)} s)`);
  log(`goal: >= 50000 rows/s compiled model evaluated in PostgreSQL: ${rows / withModel >= 50_000 ? 'met' : 'NOT met'}`);
  await client.end();
} finally {
  await c.end().catch(() => {});
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
