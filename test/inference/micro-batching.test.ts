import ort from 'onnxruntime-node';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MicroBatcher } from '../../src/inference/micro-batcher.ts';
import { waitForModel } from '../support/models.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/**
 * One-row calls from many clients at once may share one onnxruntime run (micro-batcher.ts): each
 * client still gets its own row's prediction, as onnxruntime gives it on the stored artifact.
 */

let proxy: TestProxy;
let c: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE mb_train AS
    SELECT (g % 10)::float8 AS a, (g % 7)::int4 AS b, ('k' || g % 3)::text AS k, ((g % 10) * 2.5 + (g % 7) - (g % 3) * 4 + (g % 11) / 10.0)::float8 AS y
      FROM generate_series(1, 2000) g`);
  await c.query(`CREATE MODEL mb_model FROM mb_train TARGET y FUNCTION mb_fn AUTO OFF MODEL_TYPE XGBOOST
                 OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '30', MAX_DEPTH '4')`);
  expect((await waitForModel(c, 'mb_model')).get('Model State')).toBe('READY');
}, 120_000);

afterAll(async () => {
  await proxy?.close();
});

test('24 clients calling at once each get their own row, as onnxruntime predicts it', async () => {
  const clients = await Promise.all(Array.from({ length: 24 }, () => proxy.client()));
  const argsOf = (i: number, round: number) => [(i * 0.37 + round) % 10, (i + round) % 7, `k${(i + round) % 4}`] as const;
  const session = await storedModelSession(proxy, 'mb_model');
  for (let round = 0; round < 5; round++) {
    // Every client sends its call before any answer is read: they reach the proxy together.
    const answers = await Promise.all(
      clients.map((client, i) => {
        const [a, b, k] = argsOf(i, round);
        return client.query('SELECT mb_fn($1::float8, $2::int4, $3::text) AS p', [a, b, k]);
      }),
    );
    const rows = clients.map((_, i) => argsOf(i, round));
    const n = rows.length;
    const out = await session.run({
      [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(rows, (r) => r[0]), [n, 1]),
      [session.inputNames[1]]: new ort.Tensor('float32', Float32Array.from(rows, (r) => r[1]), [n, 1]),
      [session.inputNames[2]]: new ort.Tensor('string', rows.map((r) => r[2]), [n, 1]),
    });
    expect(answers.map((r) => r.rows[0].p)).toEqual(Array.from(out.variable.data as Float32Array));
  }
});

test('the batcher answers each request with its own rows, and after a failing joined run each request alone', async () => {
  const runs: number[] = [];
  const batcher = new MicroBatcher(async (feeds) => {
    const x = feeds.x.data as Float32Array;
    runs.push(x.length);
    // Fails when one request's row is bad, so the joined run fails and each runs alone.
    if (x.includes(-1)) throw new Error('bad row');
    return { y: new ort.Tensor('float32', x.map((v) => v * 2), [x.length, 1]), s: new ort.Tensor('string', Array.from(x, String), [x.length, 1]) };
  });
  const one = (values: number[]) => batcher.run(values.length, { x: new ort.Tensor('float32', Float32Array.from(values), [values.length, 1]) });
  // The first runs at once; the two that arrive while it runs go together in the next run.
  const got = await Promise.all([one([1]), one([2, 3]), one([4])]);
  expect(runs).toEqual([1, 3]);
  expect(got.map((o) => Array.from(o.y.data as Float32Array))).toEqual([[2], [4, 6], [8]]);
  expect(got.map((o) => o.s.data)).toEqual([['1'], ['2', '3'], ['4']]);
  expect(got.map((o) => o.y.dims)).toEqual([[1, 1], [2, 1], [1, 1]]);
  runs.length = 0;
  const settled = await Promise.allSettled([one([5]), one([-1]), one([6]), one([7])]);
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  expect(settled.map((s) => (s.status === 'fulfilled' ? Array.from(s.value.y.data as Float32Array) : null))).toEqual([[10], null, [12], [14]]);
  expect(runs).toEqual([1, 3, 1, 1, 1]);
});
