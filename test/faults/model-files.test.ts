import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import ort from 'onnxruntime-node';
import { pollUntil } from '../support/poll.ts';
import { freshDatabase, spawnProxy, type ProxyProcess } from './proxy-process.ts';

/*
 * Broken model files, and a broken artifact in the catalog: the model concerned answers a clear
 * error with a SQLSTATE, and every other model, the session and the proxy keep working.
 * modelgres only reads the model directory (CREATE MODEL ... FROM 'file.onnx'), never writes it:
 * a full disk shows there as a file cut short. The proxy runs as a child process as an ordinary
 * user, for whom a directory's permissions bind (root reads everything).
 */
let dir: string;
let modelDir: string;
let proxy: ProxyProcess;
let direct: pg.Client;
let c: pg.Client;
/** The trained linear model's ONNX bytes, as the catalog stores them. */
let onnx: Buffer;

const asOrdinaryUser = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  // The user the embedded PostgreSQL runs as when the suite runs as root.
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
};

/** y = 2x + 1 through onnxruntime on the stored artifact: the reference for the proxy's answers. */
async function reference(bytes: Buffer, xs: number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const input = session.inputNames[0];
  const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(xs), [xs.length, 1]) });
  return Array.from(out[session.outputNames[0]].data as Float32Array, Number);
}

async function expectGoodModelAnswers(): Promise<void> {
  const r = await c.query('SELECT x, good_fn(x) AS p FROM pts ORDER BY x');
  const expected = await reference(onnx, r.rows.map((row) => row.x));
  r.rows.forEach((row, i) => expect(row.p).toBeCloseTo(expected[i], 4));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-model-files-'));
  modelDir = path.join(dir, 'models');
  await chmod(dir, 0o755);
  await mkdir(modelDir);
  const user = asOrdinaryUser();
  if (user) await chown(modelDir, user.uid, user.gid);
  const upstreamUrl = await freshDatabase(inject('upstreamUrl'), 'modelgres_model_files');
  direct = new pg.Client(upstreamUrl);
  await direct.connect();
  await direct.query(`CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
  proxy = await spawnProxy(upstreamUrl, ['--workers', '1', '--model-dir', modelDir], user);
  await proxy.ready();
  c = new pg.Client(proxy.url(new URL(upstreamUrl).pathname.slice(1)));
  c.on('error', () => {});
  await c.connect();
  for (const name of ['good', 'bad']) await c.query(`CREATE MODEL ${name} FROM pts TARGET y FUNCTION ${name}_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
  await pollUntil('both models to be READY', async () => (await direct.query(`SELECT array_agg(state ORDER BY version) AS s FROM modelgres.model_version`)).rows[0].s, (s) => s?.join() === 'READY,READY', { timeoutMs: 60_000 });
  onnx = (await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'good'`)).rows[0].onnx;
  await writeFile(path.join(modelDir, 'linear.onnx'), onnx);
  // What a copy onto a full disk leaves: the first part of the file.
  await writeFile(path.join(modelDir, 'cut-short.onnx'), onnx.subarray(0, Math.floor(onnx.length / 2)));
}, 120_000);

afterAll(async () => {
  await c?.end().catch(() => {});
  await proxy?.kill();
  await direct?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the model directory', () => {
  test('unreadable: importing from it is 42501 saying so, other models keep answering, and it works once readable again', async () => {
    await chmod(modelDir, 0o000);
    try {
      const error = await c.query(`CREATE MODEL imported FROM 'linear.onnx' FUNCTION imported_fn (float8) RETURNS float8`).catch((e) => e);
      expect({ code: error.code, message: error.message, hint: error.hint }).toEqual({
        code: '42501',
        message: `model file 'linear.onnx' cannot be read: the server has no permission to read the model directory`,
        hint: 'Ask the administrator to give the user modelgres runs as read access to the model directory.',
      });
      await expectGoodModelAnswers();
    } finally {
      await chmod(modelDir, 0o755);
    }
    await c.query(`CREATE MODEL imported FROM 'linear.onnx' FUNCTION imported_fn (float8) RETURNS float8`);
    const r = await c.query('SELECT x, imported_fn(x) AS p FROM pts ORDER BY x');
    const expected = await reference(onnx, r.rows.map((row) => row.x));
    r.rows.forEach((row, i) => expect(row.p).toBeCloseTo(expected[i], 4));
  });

  test('a file it cannot read: 42501 for that file only', async () => {
    await chmod(path.join(modelDir, 'linear.onnx'), 0o000);
    try {
      const error = await c.query(`CREATE MODEL unreadable FROM 'linear.onnx' FUNCTION unreadable_fn (float8) RETURNS float8`).catch((e) => e);
      expect({ code: error.code, message: error.message }).toEqual({
        code: '42501',
        message: `model file 'linear.onnx' cannot be read: the server has no permission to read it`,
      });
      await expectGoodModelAnswers();
    } finally {
      await chmod(path.join(modelDir, 'linear.onnx'), 0o644);
    }
  });

  test('full, so that a file was cut short: 22023 with onnxruntime\'s reason, other models keep answering', async () => {
    const error = await c.query(`CREATE MODEL cut FROM 'cut-short.onnx' FUNCTION cut_fn (float8) RETURNS float8`).catch((e) => e);
    expect(error.code).toBe('22023');
    expect(error.message).toMatch(/^onnxruntime cannot load the ONNX model: /);
    await expectGoodModelAnswers();
    expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'cut'`)).rows[0].n).toBe(0);
  });
});

describe('a corrupt artifact in the catalog', () => {
  test('calls of that model answer XX001 naming it; other models, the session and the compiled body keep working', async () => {
    // Corrupted before this proxy ever loaded it; the compiled SQL body is left as it was.
    await direct.query(`UPDATE modelgres.model_version v SET onnx = substring(v.onnx from 1 for length(v.onnx) / 2) FROM modelgres.model m
                         WHERE m.model_id = v.model_id AND m.model_name = 'bad'`);
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await c.query('SELECT x, bad_fn(x) AS p FROM pts').catch((e) => e);
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'XX001',
        message: 'the stored ONNX artifact of model "bad" (version 1) is corrupt: onnxruntime cannot load it',
      });
      expect(error.hint).toBe('Train it again (CREATE OR REPLACE MODEL bad ...), or activate another version (ALTER MODEL bad SET ACTIVE VERSION n).');
    }
    await expectGoodModelAnswers();
    // PostgreSQL's compiled body of the same version does not read the artifact.
    expect((await direct.query('SELECT bad_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
    // A second client of the same proxy: unaffected.
    const other = new pg.Client(proxy.url(c.database!));
    await other.connect();
    try {
      expect((await other.query('SELECT good_fn(x) AS p FROM pts WHERE x = 10')).rows[0].p).toBeCloseTo(21, 1);
    } finally {
      await other.end();
    }
  });
});
