import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { waitForModel } from '../support/models.ts';
import ort from 'onnxruntime-node';

/** onnxruntime's outputs for the stored artifact of a model's active version, on two float inputs. */
async function onnxOutputs(model: string, a: number[], b: number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await storedModelSession(proxy, model);
  const [x, y] = session.inputNames;
  return session.run({
    [x]: new ort.Tensor('float32', Float32Array.from(a), [a.length, 1]),
    [y]: new ort.Tensor('float32', Float32Array.from(b), [b.length, 1]),
  });
}

let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  // Three well-separated blobs, and a smooth target over them.
  await c.query(`CREATE TABLE blobs AS
    SELECT g AS id, g % 3 AS truth,
           (g % 3) * 10 + ((g * 7919) % 100) / 100.0 AS a,
           (g % 3) * -8 + ((g * 104729) % 100) / 100.0 AS b
      FROM generate_series(1, 900) g`);
});
afterAll(() => proxy.close());

describe('every model type trains through the proxy', () => {
  test('KMEANS: no TARGET, K clusters, an int4 cluster id from 0', async () => {
    await c.query(
      `CREATE MODEL clusters FROM (SELECT a, b FROM blobs) FUNCTION cluster_of AUTO OFF MODEL_TYPE KMEANS
       HYPERPARAMETERS DEFAULT EXCEPT (K '3')`,
    );
    const state = await waitForModel(c, 'clusters');
    expect(state.get('Model State')).toBe('READY');
    expect(state.get('Problem Type')).toBe('CLUSTERING');
    expect(state.get('Model Type')).toBe('kmeans');
    expect(state.get('validation:msd')).toMatch(/^\d/);
    const r = await c.query('SELECT truth, cluster_of(a, b) AS cluster FROM blobs');
    expect(r.fields[1].dataTypeID).toBe(23);
    const byTruth = new Map<number, Set<number>>();
    for (const row of r.rows) byTruth.set(row.truth, (byTruth.get(row.truth) ?? new Set()).add(row.cluster));
    // Every true blob lands in exactly one cluster, and the three clusters differ.
    expect([...byTruth.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...byTruth.values()].map((s) => [...s][0])).size).toBe(3);
    for (const cluster of r.rows.map((row) => row.cluster)) expect([0, 1, 2]).toContain(cluster);
    const some = (await c.query('SELECT a::float8 AS a, b::float8 AS b, cluster_of(a, b) AS cluster FROM blobs ORDER BY id LIMIT 30')).rows;
    const out = await onnxOutputs('clusters', some.map((x) => x.a), some.map((x) => x.b));
    expect(some.map((x) => x.cluster)).toEqual(Array.from(out.label.data as BigInt64Array, Number));
  });

  test('MLP: regression and binary classification', async () => {
    await c.query(
      `CREATE MODEL mlp_reg FROM (SELECT a, b, (a * 2 - b)::float8 AS y FROM blobs) TARGET y FUNCTION mlp_reg_fn
       AUTO OFF MODEL_TYPE MLP`,
    );
    await c.query(
      `CREATE MODEL mlp_bin FROM (SELECT a, b, truth = 0 AS first FROM blobs) TARGET first FUNCTION mlp_bin_fn
       AUTO OFF MODEL_TYPE MLP`,
    );
    const reg = await waitForModel(c, 'mlp_reg');
    expect(reg.get('Model State')).toBe('READY');
    expect(reg.get('Model Type')).toBe('mlp');
    const bin = await waitForModel(c, 'mlp_bin');
    expect(bin.get('Problem Type')).toBe('BINARY_CLASSIFICATION');
    const r = await c.query(
      `SELECT a * 2 - b AS y, mlp_reg_fn(a, b) AS p, truth = 0 AS first, mlp_bin_fn(a, b) AS label FROM blobs`,
    );
    const spread = Math.max(...r.rows.map((row) => row.y)) - Math.min(...r.rows.map((row) => row.y));
    const rmse = Math.sqrt(r.rows.reduce((s, row) => s + (row.y - row.p) ** 2, 0) / r.rows.length);
    expect(rmse).toBeLessThan(spread / 20);
    const accuracy = r.rows.filter((row) => row.first === row.label).length / r.rows.length;
    expect(accuracy).toBeGreaterThan(0.97);
    const some = (await c.query('SELECT a::float8 AS a, b::float8 AS b, mlp_reg_fn(a, b) AS p FROM blobs ORDER BY id LIMIT 30')).rows;
    const out = await onnxOutputs('mlp_reg', some.map((x) => x.a), some.map((x) => x.b));
    expect(some.map((x) => x.p)).toEqual(Array.from(out.variable.data as Float32Array));
    const probs = await c.query('SELECT mlp_bin_fn_probabilities(0.5, 0.5) AS p');
    expect(probs.rows[0].p.labels[0]).toBe(true);
  });
});
