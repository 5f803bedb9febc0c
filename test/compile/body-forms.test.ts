import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { planImportedModel } from '../../src/artifacts/index.ts';
import { type CompileTarget, compileModelFunction } from '../../src/compile/index.ts';
import { type TrainingColumn, train } from '../../src/training/index.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { regressor } from '../artifacts/support/test-models.ts';
import { expectNumbersClose, expectSame, runBoth, Scratch } from './support/compiled-function.ts';

/**
 * The form of the bodies: a tree model on numbers is one inlinable SQL expression; what a body
 * marks IMMUTABLE is (an expression index accepts it, and the session's time zone does not
 * change a timestamptz model's answer); text categories beyond a handful are a jsonb lookup that
 * agrees with onnxruntime; char(n) keeps its padding as the proxy's text does.
 */
let scratch: Scratch;
beforeAll(async () => {
  scratch = await Scratch.open(inject('upstreamUrl'));
});
afterAll(async () => {
  await scratch?.close();
});

const r = createRandom(3);
const ROWS = 400;
const xs = Array.from({ length: 3 }, () => Array.from({ length: ROWS }, () => (r.next() < 0.05 ? null : r.next() * 10 - 5)));
const numbers: TrainingColumn[] = xs.map((values, k) => ({ name: `x${k}`, type: 'float8', values }));
const signal = xs[0].map((v, i) => (v ?? 0) * 2 - (xs[1][i] ?? 1) + Math.sin(xs[2][i] ?? 0));

function targetOf(onnx: Uint8Array, parameterTypes: string[], returnType = 'float8'): CompileTarget {
  return { onnx, ioPlan: null, classes: null, problemType: 'REGRESSION', parameterTypes, returnType, output: 'value' };
}

describe('a tree model on float8 arguments', () => {
  test('is one SELECT the planner inlines, IMMUTABLE, usable in an expression index', async () => {
    const model = await train(numbers, { name: 'y', type: 'float8', values: signal }, { modelType: 'XGBOOST', hyperparameters: { num_round: '20' } });
    const target = targetOf(model.onnx, ['float8', 'float8', 'float8']);
    const compiled = compileModelFunction(target);
    if (!('body' in compiled)) throw new Error(compiled.unsupported);
    expect(compiled.body.language).toBe('sql');
    expect(compiled.body.immutable).toBe(true);
    expect(compiled.body.body).toMatch(/^SELECT /);
    const rows = xs[0].map((_, i) => xs.map((c) => (c[i] === null ? null : String(c[i]))));
    const table = await scratch.table(target.parameterTypes, rows);
    const fn = await scratch.createFunction(target, compiled.body);
    const plan = await scratch.client.query(`EXPLAIN (VERBOSE) SELECT ${fn}(c1, c2, c3) FROM ${table}`);
    const text = plan.rows.map((p) => p['QUERY PLAN']).join('\n');
    expect(text).not.toContain(fn.split('.')[1]);
    expect(text).toContain('CASE WHEN');
    // An expression index takes only IMMUTABLE functions; the index and the function agree.
    await scratch.client.query(`CREATE INDEX ON ${table} ((${fn}(c1, c2, c3)))`);
    const probe = await scratch.client.query(`SELECT id, ${fn}(c1, c2, c3) AS v FROM ${table} ORDER BY id LIMIT 1 OFFSET 7`);
    await scratch.client.query('BEGIN');
    await scratch.client.query('SET LOCAL enable_seqscan = off');
    const viaIndex = await scratch.client.query(`EXPLAIN SELECT id FROM ${table} WHERE ${fn}(c1, c2, c3) = $1`, [probe.rows[0].v]);
    expect(viaIndex.rows.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/Index/);
    const found = await scratch.client.query(`SELECT id FROM ${table} WHERE ${fn}(c1, c2, c3) = $1`, [probe.rows[0].v]);
    await scratch.client.query('COMMIT');
    expect(found.rows.map((row) => row.id)).toContain(probe.rows[0].id);
    expectNumbersClose(await runBoth(scratch, target, table, rows.length));
  });
});

describe('IMMUTABLE is honest', () => {
  test('a timestamptz model answers the same in every time zone, and indexes', async () => {
    const stamps = Array.from({ length: ROWS }, (_, i) => (i % 13 === 0 ? null : new Date(Date.UTC(2020, 0, 1) + Math.floor(r.next() * 2 * 365 * 86400_000))));
    const hours = stamps.map((d) => (d === null ? 0 : d.getUTCHours()));
    const model = await train([{ name: 'ts', type: 'timestamptz', values: stamps }], { name: 'y', type: 'float8', values: hours.map((h) => (h >= 12 ? 1 : 0) + h / 24) }, { modelType: 'XGBOOST', hyperparameters: { num_round: '10' } });
    const target = targetOf(model.onnx, ['timestamptz']);
    const compiled = compileModelFunction(target);
    if (!('body' in compiled)) throw new Error(compiled.unsupported);
    expect(compiled.body.immutable).toBe(true);
    const rows = stamps.map((d) => [d === null ? null : d.toISOString()]);
    const table = await scratch.table(['timestamptz'], rows);
    const fn = await scratch.createFunction(target, compiled.body);
    await scratch.client.query(`CREATE INDEX ON ${table} ((${fn}(c1)))`);
    const inZone = async (zone: string) => {
      await scratch.client.query(`SET timezone = '${zone}'`);
      return (await scratch.client.query(`SELECT ${fn}(c1)::text AS v FROM ${table} ORDER BY id`)).rows.map((row) => row.v as string);
    };
    const utc = await inZone('UTC');
    expect(await inZone('Asia/Kathmandu')).toEqual(utc);
    expect(await inZone('America/St_Johns')).toEqual(utc);
    await scratch.client.query('RESET timezone');
    expectNumbersClose(await runBoth(scratch, target, table, rows.length));
  });

  test('a body reading a float4 through its text (extra_float_digits) is not IMMUTABLE', async () => {
    const bytes = regressor();
    const parameterTypes = ['float4', 'float4', 'float4'];
    const ioPlan = await planImportedModel(bytes, parameterTypes, 'text');
    const compiled = compileModelFunction({ onnx: bytes, ioPlan, classes: null, problemType: null, parameterTypes, returnType: 'text', output: 'value' });
    if (!('body' in compiled)) throw new Error(compiled.unsupported);
    expect(compiled.body.immutable).toBe(false);
  });
});

describe('text categories', () => {
  test('many categories (a jsonb lookup), unseen ones and NULL agree with onnxruntime', async () => {
    const categories = Array.from({ length: 60 }, (_, k) => `cat ${k}${k % 7 === 0 ? " it's" : ''}`);
    const cat = Array.from({ length: ROWS }, () => (r.next() < 0.05 ? null : categories[r.int(categories.length)]));
    const model = await train([numbers[0], { name: 'c', type: 'text', values: cat }], {
      name: 'y', type: 'float8', values: cat.map((c, i) => (c === null ? 0 : categories.indexOf(c) % 5) + (xs[0][i] ?? 0)),
    }, { modelType: 'XGBOOST', hyperparameters: { num_round: '15' } });
    const target = targetOf(model.onnx, ['float8', 'text']);
    const compiled = compileModelFunction(target);
    if (!('body' in compiled)) throw new Error(compiled.unsupported);
    expect(compiled.body.body).toContain('::jsonb');
    const rows = cat.map((c, i) => [xs[0][i] === null ? null : String(xs[0][i]), i % 17 === 0 ? 'never seen' : i % 19 === 0 ? '' : c]);
    const table = await scratch.table(target.parameterTypes, rows);
    expectNumbersClose(await runBoth(scratch, target, table, rows.length));
  });

  test('char(n) keeps its padding, as the text the proxy reads does', async () => {
    const values = ['ab', 'ab  ', 'x', null, 'x   '];
    const cat = Array.from({ length: ROWS }, (_, i) => values[i % values.length]);
    const model = await train([{ name: 'c', type: 'bpchar', values: cat }], {
      name: 'y', type: 'float8', values: cat.map((c) => (c === null ? 0 : c.length + (c.startsWith('ab') ? 10 : 0))),
    }, { modelType: 'XGBOOST', hyperparameters: { num_round: '10' } });
    const target = targetOf(model.onnx, ['bpchar']);
    const table = await scratch.table(['char(4)'], cat.map((c) => [c]));
    const result = await runBoth(scratch, target, table, ROWS);
    expectSame(result);
  });
});
