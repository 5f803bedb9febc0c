/**
 * Hosted models (ALTER MODEL m START): 16 clients making one-row calls at once (pgbench -c 16),
 * with the model not started (the shared onnxruntime pool; a one-row batch runs on the event
 * loop's thread), started with 1 inference unit, and with 2, in alternating rounds of one run on
 * an embedded PostgreSQL. Also 4 clients each scoring 100k rows at once, which keeps the units
 * busy. Prints TPS, rows/s and the ratios; the machine's cores bound what 2 units can add.
 *
 *   node --import tsx bench/hosting.ts [--quick]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer } from '../src/embedded/embedded-server.ts';
import { startModelgres } from '../src/modelgres.ts';
import { createLogger } from '../src/util/logger.ts';
import { commitMeasured, freePort, median, pgbenchTps, PGBENCH } from './bench-support.ts';
import { pollUntil } from './bench-poll.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
const quick = values.quick === true;
const ROUNDS = quick ? 1 : 3;
const SECONDS = quick ? 3 : 10;
const SCORE_ROWS = 100_000;
const FEATURES = Array.from({ length: 10 }, (_, k) => `f${k}`);
const repoRoot = path.resolve(import.meta.dirname, '..');
const log = (line: string) => console.log(line);

const uniform10 = (seed: string) => `((hashint8(${seed}) & 2147483647)::float8 / 2147483648 * 10)`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-hosting-'));
const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
const modelgres = await startModelgres({ upstreamUrl: server.socketUrl, host: '127.0.0.1', port: 0, workers: 1, log: createLogger('warn') });
const url = `postgres://postgres@127.0.0.1:${modelgres.port}/postgres`;
const admin = new pg.Client(url);
await admin.connect();
try {
  const cols = FEATURES.map((f, k) => `${uniform10(`g * 16 + ${k}`)} AS ${f}`).join(', ');
  await admin.query(`CREATE TABLE bench_train AS SELECT ${FEATURES.join(', ')}, ${FEATURES.map((f, k) => `${k + 1} * ${f}`).join(' + ')} + noise AS y
                       FROM (SELECT ${cols}, ${uniform10('g * 16 + 10')} AS noise FROM generate_series(1, 20000) g) s`);
  await admin.query(`CREATE TABLE bench_score AS SELECT ${cols} FROM generate_series(1, ${SCORE_ROWS}) g`);
  await admin.query(`CREATE MODEL bench FROM bench_train TARGET y FUNCTION bench_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'`);
  await admin.query('WAIT FOR MODEL bench');
  const script = path.join(dir, 'one-row.sql');
  await writeFile(script, `select bench_fn(${FEATURES.map(() => 'random() * 10').join(', ')});\n`);

  const status = async () => {
    const r = await admin.query('SHOW MODEL bench');
    const v = new Map(r.rows.map((row) => [row.Key, row.Value]));
    return { status: v.get('Inference Status'), inService: v.get('In Service Inference Units') };
  };
  const configure = async (units: number) => {
    if (units === 0) {
      await admin.query('ALTER MODEL bench STOP');
      await pollUntil('STOPPED', status, (s) => s.status === 'STOPPED');
    } else {
      await admin.query(`ALTER MODEL bench START (MIN_INFERENCE_UNITS ${units}, MAX_INFERENCE_UNITS ${units})`);
      await pollUntil(`${units} units`, status, (s) => s.status === 'HOSTED' && s.inService === String(units));
    }
  };
  const scoreAtOnce = async (clients: number) => {
    const cs = await Promise.all(Array.from({ length: clients }, async () => {
      const c = new pg.Client(url);
      await c.connect();
      return c;
    }));
    const t0 = performance.now();
    await Promise.all(cs.map((c) => c.query({ text: `SELECT bench_fn(${FEATURES.join(', ')}) FROM bench_score`, rowMode: 'array' })));
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(cs.map((c) => c.end()));
    return (clients * SCORE_ROWS) / seconds;
  };

  const cases = [0, 1, 2];
  const tps = new Map<number, number[]>(cases.map((u) => [u, []]));
  const rowsPerSecond = new Map<number, number[]>(cases.map((u) => [u, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const units of cases) {
      await configure(units);
      tps.get(units)!.push(await pgbenchTps(url, script, { clients: 16, threads: 2, seconds: SECONDS, protocol: 'simple' }));
      rowsPerSecond.get(units)!.push(await scoreAtOnce(4));
      log(`round ${round}, ${units === 0 ? 'not started' : `${units} unit(s)`}: ${tps.get(units)!.at(-1)!.toFixed(0)} tps one-row, ${(rowsPerSecond.get(units)!.at(-1)! / 1000).toFixed(0)}k rows/s 4 x ${SCORE_ROWS}`);
    }
  }
  const name = (u: number) => (u === 0 ? 'not started (shared pool)' : `${u} unit${u > 1 ? 's' : ''}`);
  log('');
  log(`commit ${commitMeasured(repoRoot)}; ${os.availableParallelism()} cores; median of ${ROUNDS} alternating round(s)`);
  log(`one-row calls: ${PGBENCH} -n -c 16 -j 2 -T ${SECONDS}, select bench_fn(10 x random()*10), 100-tree XGBoost`);
  for (const u of cases) log(`  ${name(u).padEnd(26)} ${median(tps.get(u)!).toFixed(0).padStart(7)} tps`);
  log(`  2 units / 1 unit: ${(median(tps.get(2)!) / median(tps.get(1)!)).toFixed(2)}; 1 unit / not started: ${(median(tps.get(1)!) / median(tps.get(0)!)).toFixed(2)}`);
  log(`4 clients each scoring ${SCORE_ROWS} rows at once (streamed SELECT):`);
  for (const u of cases) log(`  ${name(u).padEnd(26)} ${(median(rowsPerSecond.get(u)!) / 1000).toFixed(0).padStart(7)}k rows/s`);
  log(`  2 units / 1 unit: ${(median(rowsPerSecond.get(2)!) / median(rowsPerSecond.get(1)!)).toFixed(2)}`);
  log(`command: node --import tsx bench/hosting.ts${quick ? " --quick" : ""}`);
} finally {
  await admin.end().catch(() => {});
  await modelgres.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
