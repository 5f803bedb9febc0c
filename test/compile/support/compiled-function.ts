import * as ort from 'onnxruntime-node';
import pg from 'pg';
import { expect } from 'vitest';
import type { IoPlan } from '../../../src/artifacts/index.ts';
import { type CompileTarget, type CompiledBody, compileModelFunction } from '../../../src/compile/index.ts';
import type { ModelFunction } from '../../../src/inference/model-function-registry.ts';
import { type ClassValue, predictBatch } from '../../../src/inference/predict-batch.ts';
import { SESSION_OPTIONS } from '../../../src/inference/session-options.ts';
import { featureSelectExpression } from '../../../src/snapshot/feature-select-expression.ts';
import type { TrainingColumn } from '../../../src/training/index.ts';

/**
 * The test harness: a compiled body made into a function in a scratch schema of the test
 * PostgreSQL, called on rows stored in a table, against onnxruntime on the same artifact fed as
 * the proxy feeds it (predictBatch on the text PostgreSQL gives for the same rows, read with
 * featureSelectExpression as the proxy reads them).
 */
export class Scratch {
  private counter = 0;

  private constructor(readonly client: pg.Client, readonly schema: string) {}

  static async open(url: string): Promise<Scratch> {
    const client = new pg.Client(url);
    await client.connect();
    const schema = `compile_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    return new Scratch(client, schema);
  }

  async close(): Promise<void> {
    await this.client.query(`DROP SCHEMA ${this.schema} CASCADE`);
    await this.client.end();
  }

  name(prefix: string): string {
    return `${this.schema}.${prefix}_${++this.counter}`;
  }

  /** CREATE FUNCTION from a body, IMMUTABLE when the body says it may be. */
  async createFunction(target: CompileTarget, body: CompiledBody): Promise<string> {
    const fn = this.name('f');
    const volatility = body.immutable ? 'IMMUTABLE' : 'STABLE';
    await this.client.query(
      `CREATE FUNCTION ${fn}(${target.parameterTypes.join(', ')}) RETURNS ${target.returnType} LANGUAGE ${body.language} ${volatility} PARALLEL SAFE AS $mg$${body.body}$mg$`,
    );
    return fn;
  }

  /** A table t(id, c1..cn) holding the rows, each value given as PostgreSQL text (null = NULL). */
  async table(types: string[], rows: Array<Array<string | null>>): Promise<string> {
    const t = this.name('t');
    const cols = types.map((type, j) => `c${j + 1} ${type}`).join(', ');
    await this.client.query(`CREATE TABLE ${t} (id int PRIMARY KEY, ${cols})`);
    const width = types.length + 1;
    for (let from = 0; from < rows.length; from += 500) {
      const chunk = rows.slice(from, from + 500);
      const values = chunk.map((_, i) => `(${Array.from({ length: width }, (_, j) => `$${i * width + j + 1}${j === 0 ? '::int' : `::${types[j - 1]}`}`).join(', ')})`);
      await this.client.query(`INSERT INTO ${t} VALUES ${values.join(', ')}`, chunk.flatMap((r, i) => [String(from + i), ...r]));
    }
    return t;
  }
}

export interface Comparison {
  sql: Array<string | null>;
  onnx: Array<string | null>;
}

/**
 * Compiles the target, creates the function, and returns each row's result as PostgreSQL's text
 * from the function and as predictBatch's text from onnxruntime.
 */
export async function runBoth(scratch: Scratch, target: CompileTarget, table: string, rows: number): Promise<Comparison & { body: CompiledBody }> {
  const compiled = compileModelFunction(target);
  if (!('body' in compiled)) throw new Error(`not compiled: ${compiled.unsupported}`);
  const fn = await scratch.createFunction(target, compiled.body);
  const n = target.parameterTypes.length;
  const args = Array.from({ length: n }, (_, j) => `c${j + 1}`);
  const selected = args.map((c, j) => featureSelectExpression(c, target.parameterTypes[j]));
  // Every value as the text PostgreSQL sends (bool 't', not the 'true' a ::text cast gives).
  const result = await scratch.client.query({
    text: `SELECT ${fn}(${args.join(', ')}) AS out${selected.map((s, j) => `, ${s} AS a${j}`).join('')} FROM ${table} ORDER BY id`,
    rowMode: 'array',
    types: { getTypeParser: () => (text: string) => text },
  });
  expect(result.rows.length).toBe(rows);
  const sqlOut = result.rows.map((r: unknown[]) => r[0] as string | null);
  const argText = Array.from({ length: n }, (_, j) => result.rows.map((r: unknown[]) => r[j + 1] as string | null));
  const onnx = await onnxruntimeResults(target, argText, rows);
  return { sql: sqlOut, onnx, body: compiled.body };
}

async function onnxruntimeResults(target: CompileTarget, args: Array<Array<string | null>>, rows: number): Promise<Array<string | null>> {
  const session = await ort.InferenceSession.create(target.onnx, SESSION_OPTIONS);
  try {
    const fn: ModelFunction = {
      modelId: '1', modelSchema: 'public', modelName: 'm', functionSchema: 'public', name: 'f',
      output: target.output, parameterNames: args.map((_, j) => `p${j}`), parameterTypes: target.parameterTypes,
      returnType: target.returnType, problemType: target.problemType,
    };
    const runner = { inputNames: session.inputNames, run: (feeds: Record<string, ort.Tensor>, fetches?: string[]) => (fetches ? session.run(feeds, fetches) : session.run(feeds)) };
    return await predictBatch(runner, fn, target.classes as ClassValue[] | null, args, rows, target.ioPlan as IoPlan | null);
  } finally {
    await session.release();
  }
}

/** Values within rel (relative, with an absolute floor) as the brief asks; NULL and NaN equal themselves. */
export function expectNumbersClose(c: Comparison, rel = 1e-5, floor = 1e-8): void {
  let worst = 0;
  let at = -1;
  c.onnx.forEach((expected, i) => {
    const actual = c.sql[i];
    if (expected === null || actual === null) {
      expect(actual, `row ${i}`).toBe(expected);
      return;
    }
    const a = Number(actual);
    const b = Number(expected);
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      expect(a, `row ${i}`).toBe(b);
      return;
    }
    const err = Math.abs(a - b) / Math.max(Math.abs(b), floor);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  });
  expect(worst, `worst relative error at row ${at}: sql ${c.sql[at]} vs onnxruntime ${c.onnx[at]}`).toBeLessThanOrEqual(rel);
}

/** Exactly equal results (classes, cluster ids). */
export function expectSame(c: Comparison): void {
  const differ = c.onnx.flatMap((v, i) => (c.sql[i] === v ? [] : [`row ${i}: sql ${c.sql[i]} vs onnxruntime ${v}`]));
  expect(differ.slice(0, 5)).toEqual([]);
}

/** Probability JSON: labels in the same order, probabilities within 1e-5 relative (floor 1e-8). */
export function expectProbabilitiesClose(c: Comparison): void {
  const parse = (s: string | null) => JSON.parse(s ?? 'null') as { labels: unknown[]; probabilities: Array<number | null> };
  const labels: Comparison = { sql: [], onnx: [] };
  const probabilities: Comparison = { sql: [], onnx: [] };
  c.onnx.forEach((text, i) => {
    const a = parse(c.sql[i]);
    const b = parse(text);
    labels.sql.push(JSON.stringify(a.labels));
    labels.onnx.push(JSON.stringify(b.labels));
    a.probabilities.forEach((p, k) => {
      probabilities.sql.push(p === null ? null : String(p));
      probabilities.onnx.push(b.probabilities[k] === null ? null : String(b.probabilities[k]));
    });
  });
  expectSame(labels);
  expectNumbersClose(probabilities, 1e-5, 1e-8);
}

/** A training column's values as PostgreSQL text for its type. */
export function textOf(column: TrainingColumn): Array<string | null> {
  return column.values.map((v) => {
    if (v === null) return null;
    if (v instanceof Date) return column.type === 'date' ? v.toISOString().slice(0, 10) : v.toISOString();
    if (typeof v === 'boolean') return v ? 't' : 'f';
    return String(v);
  });
}
