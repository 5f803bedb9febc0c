import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitForModel } from '../support/models.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/*
 * onnxruntime-node aborts the whole process when a thread is terminated in the middle of a run
 * ("terminate called after throwing an instance of 'Napi::Error'"). Closing the inference pool
 * (the proxy shutting down, a hosted model's unit scaled down or stopped) must let the run end.
 */
let proxy: TestProxy;
let dir: string;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  const c = await proxy.client();
  await c.query(`CREATE TABLE cwr AS SELECT (g % 13)::float8 AS a, (g % 7)::float8 AS b, ((g % 13) * 2 + (g % 7) + (g * 7919 % 101) / 50.0)::float8 AS y FROM generate_series(1, 3000) g`);
  // Deep and many trees, so that a 200,000-row run takes a while.
  await c.query(`CREATE MODEL cwr_model FROM cwr TARGET y FUNCTION cwr_fn AUTO OFF MODEL_TYPE XGBOOST
                 OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '300', MAX_DEPTH '8', ETA '0.1')`);
  expect((await waitForModel(c, 'cwr_model')).get('Model State')).toBe('READY');
  const direct = await proxy.direct();
  const r = await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'cwr_model'`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-close-while-running-'));
  await writeFile(path.join(dir, 'model.onnx'), r.rows[0].onnx);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('closing the inference pool while its thread runs a batch waits for the run: no abort, the batch completes', async () => {
  const script = path.join(import.meta.dirname, 'support', 'close-while-running.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, path.join(dir, 'model.onnx')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  expect(stdout.trim()).toBe('closed; ran 200000 rows');
}, 120_000);
