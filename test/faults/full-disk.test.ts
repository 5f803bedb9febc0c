import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import ort from 'onnxruntime-node';
import { pollUntil } from '../support/poll.ts';
import { freshDatabase, spawnProxy, type ProxyProcess } from './proxy-process.ts';

/*
 * A disk that fills up while a model artifact is written. modelgres writes artifacts only into its
 * catalog (the model directory is read, never written), so the disk that fills is PostgreSQL's:
 * here the catalog's artifact table is moved to a tablespace on a real 2 MB tmpfs. Importing a
 * 3 MB model gets PostgreSQL's 53100 disk_full and registers nothing; a training whose artifact
 * finds the disk full is never READY and stores nothing; the other models keep answering; once
 * there is room, the same statements work. Mounting needs root, as the suite runs in CI.
 */
const SPACE = `modelgres_full_disk_${process.pid}`;
let dir: string;
let mountPoint: string | null = null;
let modelDir: string;
let proxy: ProxyProcess;
let direct: pg.Client;
let c: pg.Client;
let onnx: Buffer;
let bigOnnx: Buffer;

/** The uid and gid the embedded PostgreSQL runs as when the suite runs as root. */
function postgresUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

/** A length-delimited protobuf field that ModelProto does not have: parsers skip it, so the model is the same. */
function withUnknownField(model: Buffer, payload: Buffer): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat([model, varint((1000 << 3) | 2), varint(payload.length), payload]);
}

/** onnxruntime on a stored artifact over rows of input columns: the reference for the proxy's answers. */
async function reference(bytes: Buffer, rows: number[][]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, j) => (feeds[name] = new ort.Tensor('float32', Float32Array.from(rows, (r) => r[j]), [rows.length, 1])));
  const out = await session.run(feeds);
  return Array.from(out[session.outputNames[0]].data as Float32Array, Number);
}

/** `fn` over `columns` of `table` through the proxy, against onnxruntime on `bytes`. */
async function expectAnswers(fn: string, bytes: Buffer, table = 'pts', columns = ['x']): Promise<void> {
  const r = await c.query({ text: `SELECT ${columns.join(', ')}, ${fn}(${columns.join(', ')}) FROM ${table} ORDER BY 1`, rowMode: 'array' });
  const expected = await reference(bytes, r.rows.map((row) => row.slice(0, columns.length)));
  r.rows.forEach((row, i) => expect(row[columns.length]).toBeCloseTo(expected[i], 4));
}

async function artifactOf(model: string): Promise<Buffer> {
  return (await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1 AND v.state = 'READY' ORDER BY v.version DESC LIMIT 1`, [model])).rows[0].onnx;
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('test/faults/full-disk mounts a 2 MB tmpfs: it must run as root (as CI does)');
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-full-disk-'));
  // PostgreSQL's user must reach the tablespace inside.
  await chmod(dir, 0o755);
  modelDir = path.join(dir, 'models');
  await mkdir(modelDir);
  const space = path.join(dir, 'catalog-space');
  await mkdir(space);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', space]);
  mountPoint = space;
  const user = postgresUser();
  await chown(space, user.uid, user.gid);

  const upstreamUrl = await freshDatabase(inject('upstreamUrl'), 'modelgres_full_disk');
  direct = new pg.Client(upstreamUrl);
  await direct.connect();
  await direct.query(`CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
  proxy = await spawnProxy(upstreamUrl, ['--workers', '1', '--model-dir', modelDir]);
  await proxy.ready();
  c = new pg.Client(proxy.url(new URL(upstreamUrl).pathname.slice(1)));
  c.on('error', () => {});
  await c.connect();
  await c.query(`CREATE MODEL good FROM pts TARGET y FUNCTION good_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
  await pollUntil('model good to be READY', async () => (await direct.query(`SELECT state FROM modelgres.model_version`)).rows[0]?.state, (s) => s === 'READY', { timeoutMs: 60_000 });
  onnx = (await direct.query(`SELECT onnx FROM modelgres.model_version`)).rows[0].onnx;
  // Random bytes do not compress: PostgreSQL must store all 3 MB of them.
  bigOnnx = withUnknownField(onnx, randomBytes(3 * 1024 * 1024));
  await writeFile(path.join(modelDir, 'big.onnx'), bigOnnx);
  // The artifacts' table (with its TOAST table, where an artifact's bytes go) onto the small disk.
  await direct.query(`CREATE TABLESPACE ${SPACE} LOCATION '${space}'`);
  await direct.query(`ALTER TABLE modelgres.model_version SET TABLESPACE ${SPACE}`);
  // Dead rows of a failed write keep their pages: no vacuum makes room behind the tests' backs.
  await direct.query(`ALTER TABLE modelgres.model_version SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
  await direct.query(`CREATE TABLE tr AS SELECT g::float8 AS x, (g % 7)::float8 AS z, (sin(g) * 10 + g % 7)::float8 AS y FROM generate_series(1, 3000) g`);
}, 120_000);

afterAll(async () => {
  await c?.end().catch(() => {});
  await proxy?.kill();
  if (direct) {
    await direct.query('ALTER TABLE modelgres.model_version SET TABLESPACE pg_default').catch(() => {});
    await direct.query('ALTER TABLE modelgres.model_version RESET (autovacuum_enabled, toast.autovacuum_enabled)').catch(() => {});
    await direct.query(`DROP TABLESPACE IF EXISTS ${SPACE}`).catch((e) => console.error(`DROP TABLESPACE ${SPACE}: ${e.message}`));
    await direct.end();
  }
  if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const TRAINED = `CREATE OR REPLACE MODEL trained FROM tr TARGET y FUNCTION trained_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
                   HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '200', MAX_DEPTH '6')`;

describe('the disk fills up while an artifact is written', () => {
  test('CREATE MODEL FROM a 3 MB file onto 2 MB: 53100 from PostgreSQL, nothing registered, the other model answers', async () => {
    // onnxruntime loads the file as it is: only the disk stands in the way.
    expect(await reference(bigOnnx, [[10]])).toEqual(await reference(onnx, [[10]]));
    const error = await c.query(`CREATE MODEL big FROM 'big.onnx' FUNCTION big_fn (float8) RETURNS float8`).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect({ code: error.code, message: error.message, hint: error.hint }).toEqual({
      code: '53100',
      message: expect.stringMatching(/^could not extend file "pg_tblspc\/.*": No space left on device$/),
      hint: 'Check free disk space.',
    });
    // Nothing of the model: no catalog row, no version, no function.
    expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'big'`)).rows[0].n).toBe(0);
    expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.model_version`)).rows[0].n).toBe(1);
    expect((await direct.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'big_fn%'`)).rows[0].n).toBe(0);
    // The session, the other model and the proxy carry on.
    await expectAnswers('good_fn', onnx);
    expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  test('a training whose artifact finds the disk full: never READY, no artifact; FAILED saying so, or handed back for a retry when even that cannot be written', async () => {
    const refused = await c.query(TRAINED).then(() => null, (e: pg.DatabaseError) => e);
    if (refused) {
      // The version row itself may find the disk full (when its table's free space map must grow
      // first): then CREATE MODEL fails whole, with PostgreSQL's 53100, and leaves no model.
      expect({ code: refused.code, message: refused.message }).toEqual({
        code: '53100',
        message: expect.stringMatching(/^could not extend file "pg_tblspc\/.*": No space left on device$/),
      });
      expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'trained'`)).rows[0].n).toBe(0);
      await expectAnswers('good_fn', onnx);
      return;
    }
    const job = (await direct.query(`SELECT v.job_name FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'trained'`)).rows[0].job_name;
    // Marking the version FAILED is a write too: on a disk this full it may fail as well, and the
    // worker then hands the job back (it is retried, and trains once there is room).
    const outcome = await pollUntil(
      'the training to end FAILED, or its worker to report the full disk',
      async () => {
        const v = (await direct.query(`SELECT state, failure_reason, onnx IS NULL AS no_artifact FROM modelgres.model_version WHERE job_name = $1`, [job])).rows[0];
        const reported = proxy.lines.some((l) => l.includes(`training job ${job} failed`) && l.includes('No space left on device'));
        return { ...v, reported };
      },
      (o) => o.state !== 'TRAINING' || o.reported,
      { timeoutMs: 60_000 },
    );
    expect(outcome.no_artifact).toBe(true);
    if (outcome.state === 'FAILED') expect(outcome.failure_reason).toMatch(/^PostgreSQL ran out of disk space while the model was stored \(SQLSTATE 53100: could not extend file .*No space left on device\); make room, then ALTER MODEL \.\.\. RETRAIN$/);
    else expect(outcome.state).toBe('TRAINING');
    await expectAnswers('good_fn', onnx);
  });

  test('with room again (the table back on PostgreSQL\'s own disk), the same statements work', async () => {
    await direct.query('ALTER TABLE modelgres.model_version SET TABLESPACE pg_default');
    await c.query(`CREATE MODEL big FROM 'big.onnx' FUNCTION big_fn (float8) RETURNS float8`);
    await expectAnswers('big_fn', bigOnnx);
    await c.query(TRAINED);
    expect((await c.query('WAIT FOR MODEL trained TIMEOUT 120')).rows[0].state).toBe('READY');
    await expectAnswers('trained_fn', await artifactOf('trained'), 'tr', ['x', 'z']);
    await expectAnswers('good_fn', onnx);
  });
});
