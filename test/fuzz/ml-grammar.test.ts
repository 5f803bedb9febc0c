import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import os from 'node:os';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { ClientError } from '../../src/errors/client-error.ts';
import { isMlStatement, parseMlStatement } from '../../src/statements/parser/index.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, RawClient, type Received } from '../support/raw-client.ts';
import { showModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';
import { fuzzSeed, inLanes, seededRandom } from './seeded-random.ts';
import { mutateStatement, vocabularyOf, type Mutant } from './grammar-mutations.ts';

/**
 * The ML grammar fuzzer: 10,000 mutants of valid CREATE / ALTER / SHOW / DROP MODEL, EVALUATE and
 * WAIT statements, each sent through the proxy. Each must answer an ErrorResponse with a real
 * SQLSTATE, or a result of a shape the contract gives (SQL-SURFACE.md), within its deadline.
 *
 * No mutant may start a training: this proxy runs no worker (workers: 0), no other process works
 * on its database, and every mutant runs between BEGIN and ROLLBACK, so a CREATE MODEL or RETRAIN
 * that happens to be valid queues a job that the ROLLBACK removes before anyone could claim it.
 * (The one way to train without a worker, WAIT FOR MODEL in the transaction that queued the
 * version, needs two statements; a mutant is one.) The model the mutants name is READY, so a WAIT
 * on it returns at once rather than waiting out a mutated TIMEOUT.
 */

const MUTANTS = 10_000;
const LANES = 4;
/** Per statement: a mutant that takes longer is a hang. */
const DEADLINE_MS = 15_000;

let proxy: TestProxy;
let c: pg.Client;
let jobName: string;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 0 });
  c = await proxy.client();
  await c.query(`CREATE TABLE fz_rides AS
    SELECT g AS id, g % 24 AS hour, g % 7 AS weekday, ((g * 7) % 31)::float8 AS temp,
           CASE WHEN g % 3 = 0 THEN 'yes' ELSE 'no' END AS label, (g % 24) * 2 + g % 7 + ((g * 7) % 31) / 10.0::float8 AS y
    FROM generate_series(1, 300) g`);
  // Trained here, in the creating transaction (WAIT FOR MODEL trains it in this session): the
  // proxy has no worker.
  await c.query('BEGIN');
  await c.query(`CREATE MODEL fz_m FROM (SELECT hour, weekday, temp, y FROM fz_rides) TARGET y FUNCTION fz_m_fn
    IAM_ROLE default AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
    HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5', MAX_DEPTH '3') SETTINGS (S3_BUCKET 'fuzz')`);
  await c.query('WAIT FOR MODEL fz_m TIMEOUT 60');
  await c.query('COMMIT');
  jobName = (await showModel(c, 'fz_m')).values.get('Training Job Name') ?? '';
  expect(jobName).toMatch(/^redshiftml-\d{20}$/);
});
afterAll(() => proxy.close());

function seeds(): string[] {
  const q = '(SELECT hour, weekday, temp, y FROM fz_rides WHERE id > 10)';
  return [
    `CREATE MODEL fz_new FROM fz_rides TARGET y FUNCTION fz_new_fn IAM_ROLE default AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '3', ETA '0.2') SETTINGS (S3_BUCKET 'b', MAX_RUNTIME 60, MAX_CELLS 10000)`,
    `CREATE MODEL fz_auto FROM ${q} TARGET y FUNCTION fz_auto_fn (int4, int4, float8) IAM_ROLE 'arn:aws:iam::1:role/r' AUTO ON PROBLEM_TYPE REGRESSION OBJECTIVE 'MSE' SETTINGS (S3_BUCKET 'b', S3_GARBAGE_COLLECT OFF)`,
    `CREATE MODEL fz_cls FROM (SELECT hour, temp, label FROM fz_rides) TARGET label FUNCTION fz_cls_fn MODEL_TYPE MLP PROBLEM_TYPE BINARY_CLASSIFICATION PREPROCESSORS '[{"ColumnSet": ["hour"], "Transformers": ["OneHotEncoder"]}, {"ColumnSet": ["temp"], "Transformers": ["StandardScaler"]}]' SETTINGS (S3_BUCKET 'b')`,
    `CREATE MODEL fz_k FROM (SELECT hour, temp FROM fz_rides) FUNCTION fz_k_fn AUTO OFF MODEL_TYPE KMEANS HYPERPARAMETERS DEFAULT EXCEPT (K '3') SETTINGS (S3_BUCKET 'b')`,
    `CREATE OR REPLACE MODEL fz_m FROM ${q} TARGET y FUNCTION fz_m_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER PROBLEM_TYPE REGRESSION SETTINGS (S3_BUCKET 'b', MAX_RUNTIME 30)`,
    `CREATE MODEL fz_copy FROM '${jobName}' FUNCTION fz_copy_fn (int4, int4, float8) RETURNS float8 IAM_ROLE default SETTINGS (S3_BUCKET 'b', KMS_KEY_ID 'k')`,
    `CREATE MODEL fz_file FROM 'models/none.onnx' FUNCTION fz_file_fn (float4, float4) RETURNS float4`,
    `SHOW MODEL ALL`,
    `SHOW MODEL fz_m`,
    `SHOW MODEL public.fz_m VERSIONS`,
    `SHOW MODEL fz_m VERSION 1`,
    `SHOW MODEL fz_m EVALUATIONS`,
    `SHOW MODEL fz_m DRIFT FROM fz_rides`,
    `SHOW MODEL fz_m DRIFT FROM (SELECT hour, weekday, temp FROM fz_rides WHERE id < 100)`,
    `SHOW MODEL fz_m DRIFT SINCE '2020-01-01 00:00:00'`,
    `DROP MODEL IF EXISTS fz_gone`,
    `DROP MODEL fz_m VERSION 7`,
    `DROP MODEL fz_m CASCADE`,
    `ALTER MODEL fz_m RETRAIN FROM ${q} SETTINGS (MAX_RUNTIME 30)`,
    `ALTER MODEL fz_m SET ACTIVE VERSION 1`,
    `ALTER MODEL fz_m SET ACTIVATION BEST`,
    `ALTER MODEL fz_m ROLLBACK`,
    `ALTER MODEL fz_m CANCEL`,
    `ALTER MODEL fz_m SET MONITORING (CAPTURE_PERCENT 10, DRIFT_THRESHOLD 0.3, SCHEDULE '1 hour', RETRAIN_ON_DRIFT OFF)`,
    `ALTER MODEL fz_m START (MIN_INFERENCE_UNITS 1, MAX_INFERENCE_UNITS 2)`,
    `ALTER MODEL fz_m SET INFERENCE (REQUIRE_START ON)`,
    `EVALUATE MODEL fz_m FROM fz_rides`,
    `EVALUATE MODEL fz_m VERSION 1 FROM (SELECT hour, weekday, temp, y FROM fz_rides WHERE id % 2 = 0)`,
    `WAIT FOR MODEL fz_m`,
    `WAIT FOR MODEL public.fz_m VERSION 1 TIMEOUT 5`,
    `GRANT EXECUTE ON MODEL fz_m TO PUBLIC`,
    `REVOKE EXECUTE ON MODEL fz_m FROM PUBLIC`,
  ];
}

/** Result shapes the contract gives the statements above (SQL-SURFACE.md sections 3, 5 and 8). */
const CONTRACT_SHAPES = [
  ['Schema Name', 'Model Name'],
  ['Key', 'Value'],
  ['version', 'state', 'active', 'source', 'job_name', 'created_at', 'training_started_at', 'training_finished_at', 'training_rows', 'metric', 'metric_value', 'failure_reason'],
  ['version', 'state'],
  ['feature', 'kind', 'metric', 'value', 'threshold', 'drifted', 'baseline_count', 'current_count', 'check'],
];

interface Answer {
  error?: { code: string; message: string; severity: string; position?: string };
  columns?: string[];
  rows: number;
  tag?: string;
}

/** Runs `text` between BEGIN and ROLLBACK, pipelined; the answer of the middle statement. */
async function runRolledBack(client: RawClient, text: string): Promise<Answer> {
  client.write([serialize.query('BEGIN'), serialize.query(text), serialize.query('ROLLBACK')]);
  const groups = await readGroups(client, 3);
  expect(groups[0].find((m) => m.name === 'error')).toBeUndefined();
  expect(groups[2].at(-1)?.status).toBe('I');
  return answerOf(groups[1]);
}

/** Runs `text` on its own: for statements the ML parser refuses, which never reach the database. */
async function runAlone(client: RawClient, text: string): Promise<Answer> {
  client.write(serialize.query(text));
  const [group] = await readGroups(client, 1);
  expect(group.at(-1)?.status).toBe('I');
  return answerOf(group);
}

/** The messages up to each of the next `count` ReadyForQuery, within the per-statement deadline. */
async function readGroups(client: RawClient, count: number): Promise<Received[][]> {
  const groups: Received[][] = [];
  let group: Received[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    while (groups.length < count) {
      const m = await Promise.race([client.next(), deadline]);
      group.push(m);
      if (m.name === 'readyForQuery') {
        groups.push(group);
        group = [];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return groups;
}

function answerOf(middle: readonly Received[]): Answer {
  const error = middle.find((m) => m.name === 'error');
  const description = middle.find((m) => m.name === 'rowDescription');
  return {
    error: error && { code: String(error.code), message: String(error.message), severity: String(error.severity), position: error.position as string | undefined },
    columns: (description?.fields as Array<{ name: string }> | undefined)?.map((f) => f.name),
    rows: middle.filter((m) => m.name === 'dataRow').length,
    tag: middle.find((m) => m.name === 'commandComplete')?.text as string | undefined,
  };
}

/** An error a client can act on: a real SQLSTATE, not an internal one, no JavaScript in its words. */
function expectCleanError(error: NonNullable<Answer['error']>, label: string): void {
  expect(error.code, label).toMatch(/^[0-9A-Z]{5}$/);
  expect(['XX', '58'], `${label}: ${error.code} ${error.message}`).not.toContain(error.code.slice(0, 2));
  expect(error.severity, label).toBe('ERROR');
  // A protocol violation is never the answer to a well-formed Query message.
  expect(error.code, `${label}: ${error.message}`).not.toBe('08P01');
  expect(error.message, label).not.toMatch(/TypeError|RangeError|Cannot read|is not a function|undefined|\[object Object\]/);
}

describe('the ML grammar under 10,000 mutated statements', () => {
  test('every seed is valid: the fuzzer starts from statements that run (or refuse for a reason the contract gives)', async () => {
    const client = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    for (const seed of seeds()) {
      expect(() => parseMlStatement(seed), seed).not.toThrow();
      const answer = await runRolledBack(client, seed);
      if (answer.error) {
        // Refusals the contract gives: the file is missing (22023), version 7 does not exist
        // (42704), START is not supported yet (0A000), a READY version cannot be cancelled (55000).
        expect(['22023', '42704', '0A000', '55000'], `${seed}: ${answer.error.code} ${answer.error.message}`).toContain(answer.error.code);
      } else if (answer.columns) {
        expect(CONTRACT_SHAPES.some((shape) => shape.every((name, i) => answer.columns?.[i] === name)) || /EVALUATE|EVALUATIONS/.test(seed), `${seed}: ${answer.columns.join(', ')}`).toBe(true);
      }
    }
    client.destroy();
  });

  test('a $n in the query of an ML statement, which takes no parameters: PostgreSQL\'s own error for it, at the $n', async () => {
    // Found by the fuzzer (seed 7): the proxy's own Bind answered 08P01 "bind message supplies 0 parameters".
    const direct = await proxy.direct();
    const reference = await direct.query('SELECT hour, $1 FROM fz_rides').then(() => undefined, (e: pg.DatabaseError) => e);
    expect(reference).toMatchObject({ code: '42P02', message: 'there is no parameter $1' });
    for (const sql of [
      'CREATE MODEL fz_p FROM (SELECT hour, $1 AS w, y FROM fz_rides) TARGET y FUNCTION fz_p_fn',
      'ALTER MODEL fz_m RETRAIN FROM (SELECT hour, weekday, $1, y FROM fz_rides)',
      'EVALUATE MODEL fz_m FROM (SELECT hour, weekday, temp, y FROM fz_rides WHERE id > $1)',
      'SHOW MODEL fz_m DRIFT FROM (SELECT hour, weekday, $1 FROM fz_rides)',
    ]) {
      const error = await c.query(sql).catch((e: pg.DatabaseError) => e);
      expect(error, sql).toMatchObject({ code: reference?.code, message: reference?.message, position: String(sql.indexOf('$1') + 1) });
    }
  });

  test('START with MIN_INFERENCE_UNITS far above the cores loads at most one unit per core, and the model answers', async () => {
    // Found reading the grammar: the parser takes any integer, and each unit is an onnxruntime
    // session on a thread of its own, so a model owner could exhaust every proxy's memory.
    await c.query('ALTER MODEL fz_m START (MIN_INFERENCE_UNITS 100000, MAX_INFERENCE_UNITS 100000)');
    const values = await pollUntil(
      'fz_m to be HOSTED',
      async () => (await showModel(c, 'fz_m')).values,
      (v) => v.get('Inference Status') !== 'STARTING',
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(values.get('Inference Status')).toBe('HOSTED');
    expect(Number(values.get('In Service Inference Units'))).toBeLessThanOrEqual(os.availableParallelism());
    expect(Number(values.get('In Service Inference Units'))).toBeGreaterThanOrEqual(1);
    const direct = await proxy.direct();
    const viaProxy = await c.query('SELECT fz_m_fn(hour, weekday, temp) AS p FROM fz_rides ORDER BY id LIMIT 5');
    const compiled = await direct.query('SELECT fz_m_fn(hour, weekday, temp) AS p FROM fz_rides ORDER BY id LIMIT 5');
    viaProxy.rows.forEach((r, i) => expect(r.p).toBeCloseTo(compiled.rows[i].p, 4));
    await c.query('ALTER MODEL fz_m STOP');
  });

  test('token drops, swaps, duplications, wrong literals, huge numbers, unicode: a SQLSTATE or a contract-shaped result, never a crash or a hang', async () => {
    const seed = fuzzSeed('ML grammar fuzzer');
    const rnd = seededRandom(seed);
    const base = seeds();
    const vocabulary = vocabularyOf(base);
    const mutants: Mutant[] = Array.from({ length: MUTANTS }, () => mutateStatement(rnd, base, vocabulary));
    const started = Date.now();

    // In the parser alone first: nothing but ClientError ever leaves it. What it refuses, the
    // proxy refuses before any database work, so those mutants need no transaction around them.
    let parsed = 0;
    const refusedByParser = new Map<Mutant, string>();
    for (const m of mutants) {
      try {
        parseMlStatement(m.text);
        parsed++;
      } catch (error) {
        if (!(error instanceof ClientError)) throw new Error(`seed ${seed}: the parser threw ${String(error)} for ${JSON.stringify(m.text)} (${m.how})`);
        if (isMlStatement(m.text)) refusedByParser.set(m, error.code);
      }
    }

    // Then through the proxy. Shapes of successful answers: the contract's, or what the valid
    // EVALUATE and EVALUATIONS seeds answer (the contract names their metrics, not their columns).
    const shapes = new Set(CONTRACT_SHAPES.map((s) => s.join('|')));
    const evaluateClient = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    for (const s of base.filter((t) => /EVALUATE|EVALUATIONS/.test(t))) {
      const a = await runRolledBack(evaluateClient, s);
      if (a.columns) shapes.add(a.columns.join('|'));
    }
    evaluateClient.destroy();
    const codes = new Map<string, number>();
    /** The first mutant answered with each SQLSTATE, printed with the counts. */
    const examples = new Map<string, string>();
    let succeeded = 0;
    const clients = await Promise.all(Array.from({ length: LANES }, () => RawClient.ready(proxy.port, { database: databaseOf(proxy.url) })));
    await inLanes(mutants, LANES, async (m, lane) => {
      const label = `seed ${seed}: ${JSON.stringify(m.text)} (${m.how})`;
      let answer: Answer;
      const parserCode = refusedByParser.get(m);
      try {
        answer = parserCode ? await runAlone(clients[lane], m.text) : await runRolledBack(clients[lane], m.text);
      } catch (error) {
        throw new Error(`${label}: ${String(error)}`);
      }
      if (parserCode) expect(answer.error?.code, `${label}: the proxy answers what its parser says`).toBe(parserCode);
      if (answer.error) {
        expectCleanError(answer.error, label);
        codes.set(answer.error.code, (codes.get(answer.error.code) ?? 0) + 1);
        if (!examples.has(answer.error.code)) examples.set(answer.error.code, `${m.text} → ${answer.error.message}`);
      } else {
        succeeded++;
        // A mutant that is no ML statement any more is PostgreSQL's to answer (SHOW ALL, ...).
        if (answer.columns && isMlStatement(m.text)) expect(shapes.has(answer.columns.join('|')), `${label}: columns ${answer.columns.join(', ')}`).toBe(true);
      }
    });
    for (const client of clients) client.destroy();
    console.log(
      `ML grammar fuzzer: ${mutants.length} mutants in ${((Date.now() - started) / 1000).toFixed(1)} s; parser accepted ${parsed}; ` +
        `through the proxy ${succeeded} succeeded, errors by SQLSTATE ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])))}\n` +
        [...examples].map(([code, example]) => `  ${code}: ${example.slice(0, 300)}`).join('\n'),
    );
    // Not vacuous: mutants reach the ML parser (42601 positioned errors) and some still run.
    expect(codes.get('42601') ?? 0).toBeGreaterThan(MUTANTS / 4);
    expect(succeeded).toBeGreaterThan(0);

    // Nothing of it stuck: the model still answers as PostgreSQL's own compiled body does, and no job was queued.
    const direct = await proxy.direct();
    const viaProxy = await c.query('SELECT fz_m_fn(hour, weekday, temp) AS p FROM fz_rides ORDER BY id LIMIT 20');
    const compiled = await direct.query('SELECT fz_m_fn(hour, weekday, temp) AS p FROM fz_rides ORDER BY id LIMIT 20');
    viaProxy.rows.forEach((r, i) => expect(r.p).toBeCloseTo(compiled.rows[i].p, 4));
    const jobs = await direct.query(`SELECT count(*)::int AS n FROM modelgres.job WHERE state <> 'done'`);
    expect(jobs.rows[0].n).toBe(0);
  }, 240_000);
});
