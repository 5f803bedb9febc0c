import { expect } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';

/**
 * What every driver program does through the proxy, and the one JSON report it prints. The
 * programs (one per driver, beside this file) share the SQL and the names below, nothing else:
 * each uses its driver as a BI tool would.
 */
export const MODEL = 'drv_model';
export const FUNCTION = 'drv_fn';
export const TABLE = 'drv_points';
export const ROWS = 10_000;
export const FETCH_SIZE = 500;
/**
 * The statement a program runs, through its driver, when given it in the environment as
 * CREATE_MODEL_SQL (once per test file: training is the slow part).
 */
export const CREATE_MODEL = `CREATE MODEL ${MODEL} FROM (SELECT a, b, cls FROM ${TABLE}) TARGET cls FUNCTION ${FUNCTION}
  AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20', MAX_DEPTH '4')`;

export interface DriverReport {
  driver: string;
  /** Model State column of WAIT FOR MODEL's answer. */
  wait: string;
  /** The same prepared statement, SELECT drv_fn($1, $2), executed with each pair. */
  prepared: Array<{ a: number; b: number; label: string }>;
  /** SELECT id, drv_fn(a, b), drv_fn_probabilities(a, b) FROM drv_points ORDER BY id, read FETCH_SIZE rows at a time. */
  fetched: { ids: number[]; labels: string[]; probabilities: Probabilities[] };
  /** PortalSuspended messages seen during that read, where the driver lets a program count them. */
  portalSuspensions?: number;
  /** drv_fn_probabilities($1, $2) for a few pairs. */
  probabilities: Array<{ a: number; b: number; value: Probabilities }>;
  /** SHOW MODEL drv_model as Key → Value. */
  showModel: Record<string, string>;
  /**
   * The model function(s) as the driver's metadata API lists them, with their input columns
   * (PostgreSQL type names; model functions' parameters are unnamed, so names are the driver's).
   */
  functions: Array<{ name: string; columns: Array<{ name: string | null; type: string }> }>;
  /** pg_cursors' statements, read in the middle of that read, where the driver declares a cursor for it. */
  cursors?: string[];
  /** Names a procedure listing gives (JDBC getProcedures, ODBC SQLProcedures), where the driver has one. */
  procedures?: string[];
  /** SHOW MODEL no_such_model, caught as the driver's own error type. */
  error: { sqlstate: string; type: string };
}

export interface Probabilities {
  labels: string[];
  probabilities: number[];
}

export interface DriverFixture {
  proxy: TestProxy;
  client: pg.Client;
  /** Runs a driver program and parses the JSON report on its last line of output. */
  run(command: string, args: readonly string[], options?: { create?: boolean; env?: Record<string, string> }): Promise<DriverReport>;
  /** Checks a report against onnxruntime on the stored artifact and the catalog. */
  check(report: DriverReport, expected: { driver: string; errorType: string | RegExp }): Promise<void>;
}

/** One proxy with a training worker and the 10,000-row table the programs score. */
export async function startDriverFixture(): Promise<DriverFixture> {
  const proxy = await startTestProxy({ workers: 1 });
  const client = await proxy.client();
  // Two features and a noisy class boundary, so that probabilities vary from row to row.
  await client.query(`CREATE TABLE ${TABLE} AS
    SELECT g AS id, ((g % 97) / 9.7)::float8 AS a, (((g * 37) % 113) / 11.3)::float8 AS b,
           CASE WHEN (g % 97) / 9.7 + ((g * 37) % 113) / 22.6 + ((g * 7919) % 1000) / 250.0 > 9 THEN 'high' ELSE 'low' END AS cls
      FROM generate_series(1, ${ROWS}) g`);
  let reference: Reference | undefined;
  return {
    proxy,
    client,
    run: async (command, args, options = {}) =>
      parseReport(await runCommand(command, args, { env: { ...options.env, ...(options.create ? { CREATE_MODEL_SQL: CREATE_MODEL } : {}) } })),
    check: async (report, expected) => {
      reference ??= await loadReference(proxy, client);
      await checkReport(reference, report, expected);
    },
  };
}

function parseReport(result: CommandResult): DriverReport {
  const lines = result.stdout.trim().split('\n');
  if (result.status !== 0 || !lines.at(-1)?.startsWith('{')) {
    throw new Error(`driver program exited ${result.status}\nstdout: ${result.stdout.slice(-2000)}\nstderr: ${result.stderr.slice(-4000)}`);
  }
  return JSON.parse(lines.at(-1)!) as DriverReport;
}

interface Reference {
  session: ort.InferenceSession;
  classes: string[];
  points: Map<number, { a: number; b: number }>;
}

async function loadReference(proxy: TestProxy, client: pg.Client): Promise<Reference> {
  const direct = await proxy.direct();
  const classes = (await direct.query('SELECT classes FROM modelgres.model_versions WHERE model_name = $1', [MODEL])).rows[0]
    .classes as string[];
  const rows = (await client.query(`SELECT id, a, b FROM ${TABLE}`)).rows as Array<{ id: number; a: number; b: number }>;
  return {
    session: await storedModelSession(proxy, MODEL),
    classes,
    points: new Map(rows.map((r) => [r.id, { a: Number(r.a), b: Number(r.b) }])),
  };
}

/** onnxruntime's label and probabilities (sorted as the model function sorts them) for each (a, b). */
async function predict(ref: Reference, pairs: Array<{ a: number; b: number }>): Promise<Array<{ label: string; p: Probabilities }>> {
  const [x, y] = ref.session.inputNames;
  const out = await ref.session.run({
    [x]: new ort.Tensor('float32', Float32Array.from(pairs.map((p) => p.a)), [pairs.length, 1]),
    [y]: new ort.Tensor('float32', Float32Array.from(pairs.map((p) => p.b)), [pairs.length, 1]),
  });
  const labels = out.label.data as BigInt64Array;
  const probs = out.probabilities.data as Float32Array;
  const c = ref.classes.length;
  return pairs.map((_, i) => {
    const order = ref.classes.map((_, k) => k).sort((m, n) => probs[i * c + n] - probs[i * c + m]);
    return {
      label: ref.classes[Number(labels[i])],
      p: { labels: order.map((k) => ref.classes[k]), probabilities: order.map((k) => probs[i * c + k]) },
    };
  });
}

/**
 * Probabilities travel as decimal text of 7 significant digits. Where the proxy does not see the
 * call (a DECLARE CURSOR, as psycopg's named cursors and psqlODBC's UseDeclareFetch send), PostgreSQL's
 * compiled body answers, which the README promises within 1e-5 relative of onnxruntime.
 */
function expectProbabilities(actual: Probabilities, expected: Probabilities, where: string): void {
  expect(actual.labels, where).toEqual(expected.labels);
  expect(actual.probabilities.length, where).toBe(expected.probabilities.length);
  actual.probabilities.forEach((p, k) => {
    const q = expected.probabilities[k];
    expect(Math.abs(p - q), `${where}: ${p} vs ${q}`).toBeLessThanOrEqual(1e-5 * Math.abs(q) + 1e-12);
  });
}

async function checkReport(ref: Reference, report: DriverReport, expected: { driver: string; errorType: string | RegExp }): Promise<void> {
  expect(report.driver).toBe(expected.driver);
  expect(report.wait).toBe('READY');

  // Past pgJDBC's prepareThreshold of 5, so the driver switches to a named server-side statement.
  expect(report.prepared.length).toBeGreaterThanOrEqual(10);
  const prepared = await predict(ref, report.prepared);
  expect(report.prepared.map((r) => r.label)).toEqual(prepared.map((r) => r.label));
  expect(new Set(report.prepared.map((r) => r.label)).size, 'the pairs reach both classes').toBe(2);

  const { ids, labels, probabilities } = report.fetched;
  expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  expect(labels).toHaveLength(ROWS);
  expect(probabilities).toHaveLength(ROWS);
  const fetched = await predict(ref, ids.map((id) => ref.points.get(id)!));
  const wrong = ids.filter((id, i) => labels[i] !== fetched[i].label);
  expect(wrong.slice(0, 10), `${wrong.length} labels differ from onnxruntime`).toEqual([]);
  ids.forEach((id, i) => expectProbabilities(probabilities[i], fetched[i].p, `row ${id}`));

  expect(report.probabilities.length).toBeGreaterThan(0);
  const single = await predict(ref, report.probabilities);
  report.probabilities.forEach((r, i) => expectProbabilities(r.value, single[i].p, `(${r.a}, ${r.b})`));

  expect(report.showModel).toMatchObject({
    'Model Name': MODEL,
    'Model State': 'READY',
    'Function Name': FUNCTION,
    'Problem Type': 'BINARY_CLASSIFICATION',
  });

  const names = report.functions.map((f) => f.name);
  expect(names).toContain(FUNCTION);
  expect(names).toContain(`${FUNCTION}_probabilities`);
  for (const f of report.functions.filter((f) => f.name === FUNCTION || f.name === `${FUNCTION}_probabilities`)) {
    expect(f.columns.map((c) => c.type), f.name).toEqual(['float8', 'float8']);
  }

  expect(report.error.sqlstate).toBe('42704');
  expect(report.error.type).toMatch(expected.errorType);
}
