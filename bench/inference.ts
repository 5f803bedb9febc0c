/**
 * Inference benchmark: a model called as a SQL function through modelgres, against the same rows
 * without the model, onnxruntime alone on those rows in memory, a user's own Python loop
 * (psycopg2 pull + XGBoost predict + COPY back, straight to PostgreSQL), the proxy's memory while
 * it scores, the latency of one-row calls and pgbench with 16 clients calling the model. Everything
 * is measured in the same run, on an embedded PostgreSQL in a temporary directory, with psql as
 * the client that reads the rows. The run ends with each goal, its figure and whether it is met.
 *
 *   npm run bench:inference -- [--rows 1000000] [--skip-5x] [--quick] [--calls-only]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { BenchProxies, uniform10, withClient, type Proxy } from './bench-proxies.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { cpuReading, postmasterPid } from './process-cpu.ts';
import {
  commitMeasured,
  freePort,
  goalLines,
  median,
  PGBENCH,
  pgbenchTps,
  percentile,
  procStatusKb,
  pythonPullPredict,
  sampleRss,
  timePsql,
  type Goal,
  type PgbenchOptions,
} from './bench-support.ts';

const usage = `npm run bench:inference -- [--rows N] [--skip-5x] [--quick] [--calls-only]

  --rows N     rows in the scored table t (default 1000000; 100000 with --quick)
  --skip-5x    skip the proxy's peak memory while it scores 5N rows
  --quick      for development: pgbench 1 round of 3 s instead of 3 rounds of 10 s, fewer
               latency samples, 100000 rows unless --rows is given
  --calls-only only the one-row latency and pgbench parts (with CPU per call of the proxy and of
               PostgreSQL), on a table of 1000 rows unless --rows is given
  --help       this text`;

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    'skip-5x': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'calls-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const quick = values.quick === true;
const callsOnly = values['calls-only'] === true;
const rows = Number(values.rows ?? (callsOnly ? '1000' : quick ? '100000' : '1000000'));
if (!Number.isInteger(rows) || rows < 1000 || rows > 100_000_000) {
  console.error(`--rows must be an integer between 1000 and 100000000\n\n${usage}`);
  process.exit(2);
}
const skip5x = values['skip-5x'] === true;
const command = `npm run bench:inference -- --rows ${rows}${skip5x ? ' --skip-5x' : ''}${quick ? ' --quick' : ''}${callsOnly ? ' --calls-only' : ''}`;

const TRAIN_ROWS = 200_000;
const ORT_BATCH = 8192;
const LATENCY_ITERATIONS = quick ? 500 : 2000;
const LATENCY_WARMUP = 100;
const PGBENCH_ROUNDS = quick ? 1 : 3;
const PGBENCH_OPTIONS = { clients: 16, threads: 2, seconds: quick ? 3 : 10 };
const FEATURES = Array.from({ length: 10 }, (_, k) => `f${k}`);
const FEATURE_LIST = FEATURES.join(', ');
const repoRoot = path.resolve(import.meta.dirname, '..');

const proxies = new BenchProxies();

/** PostgreSQL's last log lines, printed when a statement through the proxy fails. */
const serverLog: string[] = [];
function keepServerLog(line: string): void {
  serverLog.push(line);
  if (serverLog.length > 200) serverLog.splice(0, serverLog.length - 200);
}
function printServerLog(): void {
  const lines = serverLog.filter((l) => /ERROR|FATAL|PANIC|terminated|could not/.test(l)).slice(-20);
  if (lines.length) console.error(`PostgreSQL's log, last errors:\n${lines.join('\n')}`);
}

const rate = (n: number, seconds: number) => n / seconds;
const krows = (r: number) => `${(r / 1000).toFixed(0)}k rows/s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(3)} ms`;
const log = (line: string) => console.log(line);

const commit = commitMeasured(repoRoot);
const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-inference-'));
let server: EmbeddedServer | null = null;
try {
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort(), onLog: keepServerLog });
  const direct = server.url;
  let proxy = await proxies.start(server.socketUrl);

  // --- data -----------------------------------------------------------------------------------
  let t0 = performance.now();
  await withClient(direct, async (c) => {
    const cols = FEATURES.map((f, k) => `${uniform10(`g * 16 + ${k}`)} AS ${f}`).join(', ');
    await c.query(`CREATE TABLE t AS SELECT g AS id, ${cols} FROM generate_series(1::int8, ${rows}::int8) AS g`);
    // Training rows come from other seeds than the scored rows.
    const trainOffset = 1_000_000_000_000;
    await c.query(
      `CREATE TABLE train AS
       SELECT ${FEATURE_LIST}, f0 * 3 - f1 * 2 + sin(f2) * 5 + (noise / 10 - 0.5) AS y
         FROM (SELECT ${cols}, ${uniform10('g * 16 + 10')} AS noise
                 FROM generate_series(${trainOffset + 1}::int8, ${trainOffset + TRAIN_ROWS}::int8) AS g) s`,
    );
    await c.query('CREATE TABLE out (id int8, p float8)');
    await c.query('VACUUM (ANALYZE) t');
    await c.query('VACUUM (ANALYZE) train');
  });
  log(`data: t ${rows} rows x (id, f0..f9 float8), train ${TRAIN_ROWS} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // --- training through the proxy -------------------------------------------------------------
  t0 = performance.now();
  await withClient(proxy.url, async (c) => {
    await c.query(
      `CREATE MODEL bench_model FROM train TARGET y FUNCTION bench_fn AUTO OFF MODEL_TYPE XGBOOST
       OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '100', MAX_DEPTH '6')`,
    );
    const r = await c.query('WAIT FOR MODEL bench_model TIMEOUT 1800');
    if (r.rows[0]?.state !== 'READY') throw new Error(`WAIT FOR MODEL answered ${JSON.stringify(r.rows)}`);
  });
  log(`model: CREATE MODEL ... XGBOOST 100 rounds depth 6 on ${TRAIN_ROWS} rows, READY after ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const selectPlain = `SELECT id, ${FEATURE_LIST} FROM t`;
  const selectScored = `SELECT id, bench_fn(${FEATURE_LIST}) FROM t`;
  const insertScored = `INSERT INTO out SELECT id, bench_fn(${FEATURE_LIST}) FROM t`;
  const insertPlain = `INSERT INTO out SELECT id, f0 FROM t`;

  // --- throughput through the proxy (psql reads every row) -------------------------------------
  const throughput = callsOnly
    ? null
    : await (async () => {
        // The direct read also warms PostgreSQL's buffers for the reads after it.
        const directSeconds = await timePsql(direct, selectPlain);
        const aSeconds = await timePsql(proxy.url, selectPlain);
        const bSeconds = await timePsql(proxy.url, selectScored);
        const directRate = rate(rows, directSeconds);
        const a = rate(rows, aSeconds);
        const b = rate(rows, bSeconds);
        log(`direct  ${selectPlain}: ${directSeconds.toFixed(2)} s, ${krows(directRate)}`);
        log(`(a)     ${selectPlain} via modelgres: ${aSeconds.toFixed(2)} s, ${krows(a)}`);
        log(`(b)     ${selectScored} via modelgres: ${bSeconds.toFixed(2)} s, ${krows(b)}`);

        const { c0, c, cNote } = await withClient(proxy.url, async (client) => {
          await client.query('TRUNCATE out');
          let s = performance.now();
          await client.query(insertPlain);
          const plainRate = rate(rows, (performance.now() - s) / 1000);
          log(`(c0)    ${insertPlain} via modelgres (no model): ${krows(plainRate)}`);
          await client.query('TRUNCATE out');
          s = performance.now();
          try {
            const r = await client.query(insertScored);
            const seconds = (performance.now() - s) / 1000;
            if (r.rowCount !== rows) throw new Error(`${insertScored} inserted ${r.rowCount} rows, expected ${rows}`);
            log(`(c)     ${insertScored} via modelgres: ${seconds.toFixed(2)} s, ${krows(rate(rows, seconds))}`);
            return { c0: plainRate, c: rate(rows, seconds) as number | null, cNote: '' };
          } catch (error) {
            const e = error as { code?: string; message?: string };
            // 0A000: model calls in INSERT are not built yet. Anything else is a failure of the proxy,
            // reported as such, and the run goes on to the other measurements.
            const note = e.code === '0A000' ? `not supported yet (0A000: ${e.message})` : `FAILED (${e.code ?? 'no SQLSTATE'}: ${e.message})`;
            log(`(c)     ${insertScored} via modelgres: ${note}`);
            if (e.code !== '0A000') printServerLog();
            return { c0: plainRate, c: null, cNote: note };
          }
        });
        return { directRate, a, b, c0, c, cNote };
      })();
  const cNote = throughput?.cNote ?? '';

  // --- one-row latency -------------------------------------------------------------------------
  if (cNote.startsWith('FAILED')) {
    // A proxy that died takes a moment to be reported gone.
    const exited = new Promise<void>((resolve) => proxy.child.once('exit', () => resolve()));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  }
  if (proxy.child.exitCode !== null || proxy.child.signalCode !== null) {
    log('modelgres is gone: a fresh one measures the latency');
    proxy = await proxies.start(server.socketUrl);
  }
  const latency = await withClient(proxy.url, async (client) => {
    const one = 'SELECT 1';
    const scored = 'SELECT bench_fn(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)';
    for (let i = 0; i < LATENCY_WARMUP; i++) {
      await client.query(one);
      await client.query(scored);
    }
    const times: { one: number[]; scored: number[] } = { one: [], scored: [] };
    // Interleaved, so drift in machine load touches both alike.
    for (let i = 0; i < LATENCY_ITERATIONS; i++) {
      for (const [key, sql] of [['one', one], ['scored', scored]] as const) {
        const s = process.hrtime.bigint();
        await client.query(sql);
        times[key].push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }
    return {
      oneP50: percentile(times.one, 50),
      oneP99: percentile(times.one, 99),
      scoredP50: percentile(times.scored, 50),
      scoredP99: percentile(times.scored, 99),
    };
  });
  log(`latency SELECT 1: p50 ${ms(latency.oneP50)} p99 ${ms(latency.oneP99)}; SELECT bench_fn(1..10): p50 ${ms(latency.scoredP50)} p99 ${ms(latency.scoredP99)}`);

  // --- pgbench, 16 clients through the proxy: the model call against the same random() calls ----
  // Rounds alternate between the four scripts so drift in machine load touches them alike.
  const randoms = FEATURES.map(() => 'random()*10').join(', ');
  const scripts = { plain: `select ${randoms};\n`, model: `select bench_fn(${randoms});\n` };
  for (const [name, text] of Object.entries(scripts)) await writeFile(path.join(dir, `pgbench-${name}.sql`), text);
  type PgbenchCase = {
    key: string;
    script: keyof typeof scripts;
    protocol: PgbenchOptions['protocol'];
    tps: number[];
    /** CPU µs per transaction of the proxy and of PostgreSQL, each round. */
    proxyUs: number[];
    pgUs: number[];
    error?: string;
  };
  const pgbenchCases: PgbenchCase[] = (['simple', 'prepared'] as const).flatMap((protocol) =>
    (['plain', 'model'] as const).map((script) => ({ key: `${script} -M ${protocol}`, script, protocol, tps: [], proxyUs: [], pgUs: [] })),
  );
  const postmaster = postmasterPid(path.join(dir, 'pg'));
  for (let round = 1; round <= PGBENCH_ROUNDS; round++) {
    for (const pc of pgbenchCases) {
      if (pc.error) continue;
      try {
        const before = cpuReading(postmaster, proxy.child.pid!);
        const tps = await pgbenchTps(proxy.url, path.join(dir, `pgbench-${pc.script}.sql`), { ...PGBENCH_OPTIONS, protocol: pc.protocol });
        const after = cpuReading(postmaster, proxy.child.pid!);
        const transactions = tps * PGBENCH_OPTIONS.seconds;
        pc.tps.push(tps);
        pc.proxyUs.push(((after.proxy - before.proxy) / transactions) * 1e6);
        pc.pgUs.push(((after.pg - before.pg) / transactions) * 1e6);
        log(
          `pgbench round ${round} ${pc.key.padEnd(17)} ${tps.toFixed(0)} tps, CPU µs per transaction: proxy ${pc.proxyUs.at(-1)!.toFixed(0)}, PostgreSQL ${pc.pgUs.at(-1)!.toFixed(0)}`,
        );
      } catch (error) {
        pc.error = (error as Error).message;
        log(`pgbench round ${round} ${pc.key.padEnd(17)} FAILED: ${pc.error}`);
      }
    }
  }
  const pgbenchTpsOf = (script: string, protocol: string): number | null => {
    const pc = pgbenchCases.find((x) => x.script === script && x.protocol === protocol)!;
    return pc.error || pc.tps.length === 0 ? null : median(pc.tps);
  };
  const pgbenchRatio = (protocol: string) => {
    const plain = pgbenchTpsOf('plain', protocol);
    const model = pgbenchTpsOf('model', protocol);
    return plain === null || model === null ? null : model / plain;
  };
  const pgbenchMissing = (protocol: string) =>
    pgbenchCases.filter((pc) => pc.protocol === protocol && pc.error).map((pc) => `${pc.key} failed`).join(', ');
  const pgbenchRows = pgbenchCases.map((pc): [string, string] => [
    `pgbench ${pc.key} via modelgres`,
    pc.error
      ? 'FAILED'
      : `${median(pc.tps).toFixed(0)} tps (median of ${pc.tps.length}); CPU µs/transaction proxy ${median(pc.proxyUs).toFixed(0)}, PostgreSQL ${median(pc.pgUs).toFixed(0)}`,
  ]);
  const callGoals: Goal[] = [
    { measure: 'p50 SELECT f(1..10) / p50 SELECT 1, 1 client', value: latency.scoredP50 / latency.oneP50, op: '<=', target: 2 },
    { measure: 'pgbench 16 clients, TPS model / plain', value: pgbenchRatio('simple'), op: '>=', target: 0.5, missing: pgbenchMissing('simple') },
    { measure: 'pgbench 16 clients -M prepared, TPS model / plain', value: pgbenchRatio('prepared'), op: '>=', target: 0.5, missing: pgbenchMissing('prepared') },
  ];
  const latencyRows: Array<[string, string]> = [
    ['latency SELECT 1, p50 / p99', `${ms(latency.oneP50)} / ${ms(latency.oneP99)}`],
    ['latency SELECT bench_fn(1..10), p50 / p99', `${ms(latency.scoredP50)} / ${ms(latency.scoredP99)}`],
  ];
  const pgbenchLine = `pgbench: ${PGBENCH} -n -c ${PGBENCH_OPTIONS.clients} -j ${PGBENCH_OPTIONS.threads} -T ${PGBENCH_OPTIONS.seconds}, ${PGBENCH_ROUNDS} alternating round(s); plain = select ${FEATURES.length} x random()*10, model = select bench_fn(the same)`;
  /** --calls-only: the one-row and pgbench figures and their goals. */
  const printCallsSummary = () => {
    const width = Math.max(...[...latencyRows, ...pgbenchRows].map(([k]) => k.length));
    log(`\n${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
    log(pgbenchLine);
    for (const [k, v] of [...latencyRows, ...pgbenchRows]) log(`${k.padEnd(width)}  ${v}`);
    log('\ngoals');
    for (const line of goalLines(callGoals)) log(line);
    log(`commit: ${commit} (at the start of the run)`);
    log(`\ncommand: ${command}`);
  };
  if (proxy.child.exitCode !== null || proxy.child.signalCode !== null) {
    log('modelgres is gone after pgbench: a fresh one answers the check of predictions');
    proxy = await proxies.start(server.socketUrl);
  }

  // Predictions of the proxy for a few rows, to check against onnxruntime below.
  const spot = await withClient(proxy.url, (client) =>
    client.query({ text: `SELECT id, bench_fn(${FEATURE_LIST}) FROM t WHERE id <= 5`, rowMode: 'array' }),
  );
  await proxies.stop(proxy);

  // --- onnxruntime alone on the same rows, in memory -------------------------------------------
  const { onnx, features } = await withClient(direct, async (client) => {
    const m = await client.query(
      `SELECT onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
        WHERE m.model_name = 'bench_model' AND v.state = 'READY' ORDER BY v.version DESC LIMIT 1`,
    );
    const bytes = m.rows[0]?.onnx as Buffer | undefined;
    if (!bytes) throw new Error('no ONNX bytes for bench_model in the catalog');
    // Column j of row id lands at features[j][id - 1], whatever order the rows come in.
    const cols = FEATURES.map(() => new Float32Array(rows));
    await client.query('BEGIN');
    await client.query(`DECLARE rows_c NO SCROLL CURSOR FOR ${selectPlain}`);
    for (let guard = 0; guard <= rows / 50_000 + 1; guard++) {
      const r = await client.query({ text: 'FETCH FORWARD 50000 FROM rows_c', rowMode: 'array' });
      for (const row of r.rows as string[][]) {
        const i = Number(row[0]) - 1;
        for (let j = 0; j < FEATURES.length; j++) cols[j][i] = Number(row[j + 1]);
      }
      if (r.rows.length < 50_000) break;
    }
    await client.query('COMMIT');
    return { onnx: new Uint8Array(bytes), features: cols };
  });
  // As the proxy's session cache creates it.
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const batches: Float32Array[][] = [];
  for (let start = 0; start < rows; start += ORT_BATCH) {
    batches.push(features.map((col) => col.slice(start, Math.min(rows, start + ORT_BATCH))));
  }
  const feedsOf = (batch: Float32Array[]) => {
    const feeds: Record<string, ort.Tensor> = {};
    // Inputs are positional, one float32 [n, 1] tensor per feature, as predict-batch.ts feeds them.
    session.inputNames.forEach((name, j) => (feeds[name] = new ort.Tensor('float32', batch[j], [batch[j].length, 1])));
    return feeds;
  };
  await session.run(feedsOf(batches[0]));
  const dStart = process.hrtime.bigint();
  for (const batch of batches) await session.run(feedsOf(batch));
  const dSeconds = Number(process.hrtime.bigint() - dStart) / 1e9;
  const d = rate(rows, dSeconds);
  log(`(d)     onnxruntime alone, ${rows} rows in memory, batches of ${ORT_BATCH}, 1 intra-op thread: ${dSeconds.toFixed(2)} s, ${krows(d)}`);

  const firstOut = await session.run(feedsOf(features.map((col) => col.slice(0, 5))));
  const expected = firstOut[session.outputNames[0]].data as Float32Array;
  const mismatches = (spot.rows as Array<[string, number]>).filter(([id, p]) => Math.abs(Number(p) - expected[Number(id) - 1]) > 1e-6 * Math.max(1, Math.abs(expected[Number(id) - 1])));
  const spotNote =
    spot.rows.length === 5 && mismatches.length === 0
      ? 'the proxy\'s predictions for ids 1..5 equal onnxruntime\'s'
      : `MISMATCH between the proxy and onnxruntime for ids 1..5: proxy ${JSON.stringify(spot.rows)}, onnxruntime ${JSON.stringify(Array.from(expected))}`;
  log(`check   ${spotNote}`);
  await session.release();

  if (callsOnly) {
    printCallsSummary();
  } else {
    const { directRate, a, b, c0, c } = throughput!;
    // --- (f) PostgreSQL alone evaluates the compiled body: one backend, no JIT, no parallel workers ---
    const compiledSql = `SELECT sum(bench_fn(${FEATURE_LIST})) FROM t`;
    const { fSeconds, compiledSpot } = await withClient(direct, async (client) => {
      await client.query('SET jit = off');
      await client.query('SET max_parallel_workers_per_gather = 0');
      await client.query(compiledSql); // warm: the plan and the buffers
      const s = process.hrtime.bigint();
      await client.query(compiledSql);
      const seconds = Number(process.hrtime.bigint() - s) / 1e9;
      const r = await client.query({ text: `SELECT id, bench_fn(${FEATURE_LIST}) FROM t WHERE id <= 5 ORDER BY id`, rowMode: 'array' });
      return { fSeconds: seconds, compiledSpot: r.rows as Array<[string, number]> };
    });
    const fRate = rate(rows, fSeconds);
    log(`(f)     ${compiledSql} directly in PostgreSQL (the compiled body, jit off, 1 backend): ${fSeconds.toFixed(2)} s, ${krows(fRate)}`);
    const compiledOff = compiledSpot.filter(([id, p]) => Math.abs(p - expected[Number(id) - 1]) > 1e-5 * Math.max(1, Math.abs(expected[Number(id) - 1])));
    log(`check   ${compiledOff.length === 0 && compiledSpot.length === 5 ? 'the compiled body\'s predictions for ids 1..5 are onnxruntime\'s within 1e-5' : `MISMATCH of the compiled body for ids 1..5: ${JSON.stringify(compiledSpot)}`}`);

    // --- a user's own loop without modelgres, straight to PostgreSQL ------------------------------
    const python = await pythonPullPredict('127.0.0.1', server.port, 't');
    if ('skipped' in python) log(`python  skipped: ${python.skipped}`);
    else log(`python  psycopg2 pull + XGBoost predict: ${krows(python.readPredict)}; with COPY back: ${krows(python.withCopyBack)}`);

    // --- the proxy's memory while it scores, each size in a fresh process -------------------------
    interface Memory {
      rows: number;
      startKb: number;
      peakKb: number;
      hwmKb: number;
      rate: number;
    }
    const memoryRuns: Memory[] = [];
    const sizes: Array<[number, string]> = [[rows, selectScored]];
    if (!skip5x) sizes.push([rows * 5, `SELECT id, bench_fn(${FEATURE_LIST}) FROM t CROSS JOIN generate_series(1, 5) AS r(k)`]);
    for (const [n, sql] of sizes) {
      proxy = await proxies.start(server.socketUrl);
      const pid = proxy.child.pid!;
      const startKb = procStatusKb(pid, 'VmRSS') ?? 0;
      const sampler = sampleRss(pid, 50);
      const seconds = await timePsql(proxy.url, sql);
      const peakKb = sampler.stop();
      const hwmKb = procStatusKb(pid, 'VmHWM') ?? 0;
      await proxies.stop(proxy);
      memoryRuns.push({ rows: n, startKb, peakKb, hwmKb, rate: rate(n, seconds) });
      log(`(e)     ${n} rows scored by a fresh proxy: ${krows(rate(n, seconds))}; RSS at start ${mb(startKb)}, sampled peak ${mb(peakKb)}, VmHWM ${mb(hwmKb)}`);
    }

    // --- summary ---------------------------------------------------------------------------------
    const peakOf = (m: Memory) => Math.max(m.peakKb, m.hwmKb);
    const pyTps = 'skipped' in python ? null : python;
    const rowsOut: Array<[string, string]> = [
      ['direct: psql SELECT id, f0..f9 FROM t', krows(directRate)],
      ['(a) via modelgres: SELECT id, f0..f9', krows(a)],
      ['(b) via modelgres: SELECT id, bench_fn(f0..f9)', krows(b)],
      ['(c0) via modelgres: INSERT INTO out SELECT id, f0 (no model)', krows(c0)],
      ['(c) via modelgres: INSERT INTO out SELECT id, bench_fn(...)', c === null ? cNote.replace(/ \(.*$/s, '') : krows(c)],
      ['(d) onnxruntime alone, in memory, 1 thread', krows(d)],
      ['(f) PostgreSQL alone, compiled body: SELECT sum(bench_fn(f0..f9))', krows(fRate)],
      ['python: psycopg2 pull + XGBoost predict, direct', pyTps ? krows(pyTps.readPredict) : 'skipped'],
      ['python: pull + predict + COPY back, direct', pyTps ? krows(pyTps.withCopyBack) : 'skipped'],
      ...memoryRuns.map((m): [string, string] => [`(e) proxy peak RSS scoring ${m.rows} rows (sampled / VmHWM)`, `${mb(m.peakKb)} / ${mb(m.hwmKb)} (start ${mb(m.startKb)})`]),
      ...latencyRows,
      ...pgbenchRows,
    ];
    const width = Math.max(...rowsOut.map(([k]) => k.length));
    log(`\n${rows} rows, ${os.cpus().length} cores, psql reads the rows (-X -A -t > /dev/null), the proxy reaches PostgreSQL by Unix socket`);
    log(pgbenchLine);
    for (const [k, v] of rowsOut) log(`${k.padEnd(width)}  ${v}`);

    const pyMissing = 'skipped' in python ? 'the Python loop did not run (see "python" above)' : undefined;
    const [mem1, mem5] = memoryRuns;
    const memPeak = Math.max(...memoryRuns.map(peakOf));
    const goals: Goal[] = [
      { measure: '(b)/(a)  SELECT id, f(f0..f9) / SELECT id, f0..f9, via modelgres', value: b / a, op: '>=', target: 0.6 },
      { measure: '(b)/(d)  / onnxruntime alone, 1 thread, in memory', value: b / d, op: '>=', target: 0.8 },
      { measure: '(b)/python pull + predict, same run', value: pyTps ? b / pyTps.readPredict : null, op: '>=', target: 2.5, unit: 'x', missing: pyMissing },
      { measure: '(c)/(b)  INSERT INTO out SELECT id, f(...) / (b)', value: c === null ? null : c / b, op: '>=', target: 0.85, missing: cNote },
      {
        measure: '(c)/python pull + predict + COPY back, same run',
        value: c !== null && pyTps ? c / pyTps.withCopyBack : null,
        op: '>=',
        target: 2.5,
        unit: 'x',
        missing: c === null ? `(c) ${cNote}` : pyMissing,
      },
      { measure: '(f) compiled body in PostgreSQL, 1 backend, rows/s', value: fRate, op: '>=', target: 50_000, digits: 0 },
      ...callGoals,
      { measure: `proxy peak RSS scoring ${memoryRuns.map((m) => m.rows).join(' and ')} rows, MB`, value: memPeak / 1024, op: '<=', target: 250, digits: 0 },
      {
        measure: `proxy peak RSS ${mem5?.rows ?? 5 * rows} / ${rows} rows`,
        value: mem5 ? peakOf(mem5) / peakOf(mem1) : null,
        op: '<=',
        target: 1.1,
        missing: 'the 5x run was skipped (--skip-5x)',
      },
    ];
    log('\ngoals (peak RSS = the higher of the sampled peak and VmHWM)');
    for (const line of goalLines(goals)) log(line);
    log(`(a)/direct ${(a / directRate).toFixed(2)} (no goal)`);
    log(`commit: ${commit} (at the start of the run)`);
    log(`\ncommand: ${command}`);
  }
} finally {
  await proxies.stopAll();
  await server?.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
