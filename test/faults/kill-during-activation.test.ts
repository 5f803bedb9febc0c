import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import { pollUntil } from '../support/poll.ts';
import { killableProxy, linearModel, versionStates, type KillableProxy } from './killable-proxy.ts';

/*
 * The proxy SIGKILLed in the middle of ALTER MODEL … SET ACTIVE VERSION (held on a lock of the
 * model's row): afterwards exactly one version is active, and the model row, the activation
 * history, the function f and the pinned f_vN all agree on which.
 */
let k: KillableProxy;

beforeAll(async () => {
  k = await killableProxy('modelgres_kill_activation');
  await linearModel(k, 'm');
  // Version 2 learns another line (y = 3x - 4), so the versions' answers tell them apart.
  await k.direct.query('CREATE TABLE pts2 AS SELECT x, 3 * x - 4 AS y FROM pts');
  const c = await k.client('setup');
  await c.query('CREATE OR REPLACE MODEL m FROM pts2 TARGET y FUNCTION m_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await pollUntil('version 2 to be READY', () => versionStates(k.direct, 'm'), (s) => s.join() === 'READY,READY', { timeoutMs: 60_000 });
  await c.end();
}, 180_000); // a proxy started, two versions trained

afterAll(() => k?.close());

const lines: Record<number, (x: number) => number> = { 1: (x) => 2 * x + 1, 2: (x) => 3 * x - 4 };

test('killed mid-activation: one version is active, and every function and the history agree on it; the next proxy serves it', async () => {
  expect((await k.direct.query(`SELECT active_version FROM modelgres.model WHERE model_name = 'm'`)).rows[0].active_version).toBe(2);
  const a = await k.client('activator');
  const blocker = new pg.Client(k.upstreamUrl);
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM modelgres.model WHERE model_name = 'm' FOR UPDATE`);
    const running = a.query('ALTER MODEL m SET ACTIVE VERSION 1').catch((e: Error) => e);
    await pollUntil('the activation to wait on the model row', () => k.backendOf('activator'), (b) => b !== null && b.waiting === 'Lock');
    await k.kill();
    expect(await running).toBeInstanceOf(Error);
    await blocker.query('COMMIT');
  } finally {
    await blocker.end();
  }
  await k.backendGone('activator');

  // Whether PostgreSQL finished the activation or rolled it back, the catalog agrees with itself.
  const model = (await k.direct.query(`SELECT model_id, active_version FROM modelgres.model WHERE model_name = 'm'`)).rows[0];
  expect([1, 2]).toContain(model.active_version);
  const history = await k.direct.query(`SELECT version FROM modelgres.activation WHERE model_id = $1 ORDER BY activation_id DESC LIMIT 1`, [model.model_id]);
  expect(history.rows[0].version).toBe(model.active_version);
  const calls = (await k.direct.query(`SELECT m_fn(10) AS f, m_fn_v1(10) AS v1, m_fn_v2(10) AS v2`)).rows[0];
  expect(calls.f).toBe(model.active_version === 1 ? calls.v1 : calls.v2);
  expect(calls.f).toBeCloseTo(lines[model.active_version](10), 1);

  // The next proxy answers with the same version, and activates the other one.
  const b = await k.client('versions-again');
  expect((await b.query('SELECT m_fn(10) AS p')).rows[0].p).toBeCloseTo(lines[model.active_version](10), 1);
  const other = 3 - model.active_version;
  await b.query(`ALTER MODEL m SET ACTIVE VERSION ${other}`);
  expect((await b.query('SELECT m_fn(10) AS p')).rows[0].p).toBeCloseTo(lines[other](10), 1);
  expect((await k.direct.query(`SELECT m_fn(10) AS p`)).rows[0].p).toBeCloseTo(lines[other](10), 1);
}, 120_000);
