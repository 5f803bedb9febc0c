import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startModelgres } from '../../src/modelgres.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';
import { executions, finishedExecutions, runNow } from './support.ts';

let proxy: TestProxy;
/** The catalog's superuser through the proxy, and straight to PostgreSQL. */
let admin: pg.Client;
let direct: pg.Client;
/** A role of no privilege but its own: schedules run as it. */
let owner: pg.Client;

const OWNER = 'sched_owner';

beforeAll(async () => {
  const options = { workers: 1, schedulePollMilliseconds: 200 };
  proxy = await startTestProxy(options);
  direct = await proxy.direct();
  await direct.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${OWNER}') THEN CREATE ROLE ${OWNER} LOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sched_other') THEN CREATE ROLE sched_other LOGIN; END IF;
  END $$`);
  await direct.query(`CREATE SCHEMA sched; GRANT USAGE, CREATE ON SCHEMA sched TO ${OWNER}, sched_other`);
  await direct.query(`CREATE TABLE sched.train AS SELECT g::float8 AS x, (3 * g + 2)::float8 AS y FROM generate_series(1, 300) g`);
  admin = await proxy.client();
  await admin.query('CREATE MODEL sched.lin FROM sched.train TARGET y FUNCTION sched.lin_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await admin.query('WAIT FOR MODEL sched.lin');
  await admin.query(`GRANT EXECUTE ON MODEL sched.lin TO ${OWNER}`);
  const url = new URL(proxy.url);
  url.username = OWNER;
  owner = await proxy.client({ connectionString: url.toString() });
  await owner.query('SET search_path = sched');
}, 90_000);
afterAll(() => proxy.close());

/** Every row of `target` joined with PostgreSQL's own evaluation of the same version (the compiled body). */
async function compareWithCompiledBody(target: string, key: string, source: string): Promise<{ rows: number; distinct: number; worst: number }> {
  const versions = (await direct.query(`SELECT DISTINCT model_version AS v FROM ${target}`)).rows.map((r) => r.v as number);
  const reference = `CASE t.model_version ${versions.map((v) => `WHEN ${v} THEN sched.lin_fn_v${v}(s.x)`).join(' ')} END`;
  const r = await direct.query(
    `SELECT count(*)::int AS rows, count(DISTINCT t.${key})::int AS distinct,
            coalesce(max(abs(t.prediction - ${reference}) / greatest(abs(t.prediction), 1)), 0) AS worst
       FROM ${target} t JOIN ${source} s USING (${key})`,
  );
  return r.rows[0];
}

describe('CREATE / ALTER / DROP / SHOW INFERENCE SCHEDULE', () => {
  test('misuse answers a SQLSTATE that says what is wrong', async () => {
    await owner.query('CREATE TABLE readings (id bigint, x float8, note text, at timestamptz)');
    const create = (rest: string) => owner.query(`CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM readings KEY id INTO bad_out ${rest}`);
    await expect(create("EVERY '30 seconds'")).rejects.toMatchObject({ code: '22023', message: 'EVERY must be between 1 minute and 1 day, not 00:00:30' });
    await expect(create("EVERY '2 days'")).rejects.toMatchObject({ code: '22023' });
    await expect(create("EVERY 'soon'")).rejects.toMatchObject({ code: '22007' });
    await expect(create("EVERY '5 minutes' DELAY '1 minute'")).rejects.toMatchObject({ code: '22023', message: 'DELAY needs a KEY of a date or timestamp type' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM readings KEY at INTO bad_out EVERY '5 minutes' DELAY '-1 minute'"))
      .rejects.toMatchObject({ code: '22023' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM readings KEY note INTO bad_out EVERY '5 minutes'"))
      .rejects.toMatchObject({ code: '42804', message: 'KEY column "note" is of type text' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM readings KEY nope INTO bad_out EVERY '5 minutes'"))
      .rejects.toMatchObject({ code: '42703' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL nope FROM readings KEY id INTO bad_out EVERY '5 minutes'"))
      .rejects.toMatchObject({ code: '42704', message: 'model "nope" does not exist' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM nothing_here KEY id INTO bad_out EVERY '5 minutes'"))
      .rejects.toMatchObject({ code: '42P01' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM (SELECT id FROM readings) KEY id INTO bad_out EVERY '5 minutes'"))
      .rejects.toMatchObject({ code: '42703', message: 'column "x" does not exist' });
    await expect(owner.query("CREATE INFERENCE SCHEDULE bad FOR MODEL lin FROM readings KEY id INTO bad_out EVERY '5 minutes' START"))
      .rejects.toMatchObject({ code: '42601' });
    await expect(owner.query('ALTER INFERENCE SCHEDULE nope RUN NOW')).rejects.toMatchObject({ code: '42704' });
    await expect(owner.query('SHOW INFERENCE SCHEDULE nope')).rejects.toMatchObject({ code: '42704' });
    await expect(owner.query('SHOW INFERENCE EXECUTIONS FOR nope')).rejects.toMatchObject({ code: '42704' });
    await expect(owner.query('DROP INFERENCE SCHEDULE nope')).rejects.toMatchObject({ code: '42704' });
    await owner.query('DROP INFERENCE SCHEDULE IF EXISTS nope');
    await expect(owner.query('ALTER INFERENCE SCHEDULE nope PAUSE')).rejects.toMatchObject({ code: '42601' });
    await expect(owner.query('SHOW INFERENCE EXECUTIONS FOR nope LIMIT -1')).rejects.toMatchObject({ code: '42601' });
    // Nothing half-made: no schedule, no target.
    expect((await owner.query('SHOW INFERENCE SCHEDULES')).rows).toEqual([]);
    expect((await direct.query("SELECT to_regclass('sched.bad_out') AS t")).rows[0].t).toBeNull();

    // Permissions are PostgreSQL's: another role may not read the source, call the model or touch the schedule.
    await owner.query("CREATE INFERENCE SCHEDULE mine FOR MODEL lin FROM readings KEY id INTO mine_out EVERY '1 hour'");
    await expect(owner.query("CREATE INFERENCE SCHEDULE mine FOR MODEL lin FROM readings KEY id INTO mine_out EVERY '1 hour'"))
      .rejects.toMatchObject({ code: '42710' });
    const url = new URL(proxy.url);
    url.username = 'sched_other';
    const other = await proxy.client({ connectionString: url.toString() });
    await other.query('SET search_path = sched');
    await expect(other.query("CREATE INFERENCE SCHEDULE theirs FOR MODEL lin FROM readings KEY id INTO t_out EVERY '1 hour'"))
      .rejects.toMatchObject({ code: '42501' });
    await direct.query('GRANT SELECT ON sched.readings TO sched_other');
    await expect(other.query("CREATE INFERENCE SCHEDULE theirs FOR MODEL lin FROM readings KEY id INTO t_out EVERY '1 hour'"))
      .rejects.toMatchObject({ code: '42501', message: 'permission denied for model lin' });
    await expect(other.query('ALTER INFERENCE SCHEDULE mine STOP')).rejects.toMatchObject({ code: '42501' });
    await expect(other.query('DROP INFERENCE SCHEDULE mine')).rejects.toMatchObject({ code: '42501' });
    await expect(other.query('SHOW INFERENCE SCHEDULE mine')).rejects.toMatchObject({ code: '42704' });

    // DROP MODEL: the schedule that uses the model stops it, unless CASCADE.
    await expect(admin.query('DROP MODEL sched.lin')).rejects.toMatchObject({
      code: '2BP01',
      message: 'cannot drop model lin because other objects depend on it',
      detail: 'inference schedule sched.mine depends on model lin',
    });

    // STOP and START; SHOW reads the settings back.
    await owner.query('ALTER INFERENCE SCHEDULE mine STOP');
    const shown = new Map((await owner.query('SHOW INFERENCE SCHEDULE mine')).rows.map((r) => [r.Key, r.Value]));
    expect(shown.get('Status')).toBe('STOPPED');
    expect(shown.get('Next Run')).toBe('');
    await owner.query('ALTER INFERENCE SCHEDULE mine START');
    const started = new Map((await owner.query('SHOW INFERENCE SCHEDULE mine')).rows.map((r) => [r.Key, r.Value]));
    expect(started.get('Status')).toBe('SCHEDULED');
    expect(started.get('Every')).toBe('01:00:00');
    expect(started.get('Model')).toBe('sched.lin');
    expect(started.get('Table or Query')).toBe('sched.readings');
    expect(started.get('Target Table')).toBe('sched.mine_out');
    expect(started.get('Key Column')).toBe('id');
    expect(started.get('Key Type')).toBe('int8');
    // The target was made with the KEY's type and the model function's return type.
    const columns = await direct.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'sched' AND table_name = 'mine_out' ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', data_type: 'bigint' },
      { column_name: 'prediction', data_type: 'double precision' },
      { column_name: 'model_version', data_type: 'integer' },
      { column_name: 'execution_id', data_type: 'bigint' },
    ]);
    await owner.query('DROP INFERENCE SCHEDULE mine');
    expect((await owner.query('SHOW INFERENCE SCHEDULES')).rows).toEqual([]);
  });

  test('three executions with an id KEY score each new row once, with the active version', async () => {
    await owner.query('CREATE TABLE events (id bigint, x float8)');
    await owner.query('INSERT INTO events SELECT g, g / 10.0 FROM generate_series(1, 100) g');
    await owner.query("CREATE INFERENCE SCHEDULE every_hour FOR MODEL lin FROM events KEY id INTO events_scored EVERY '1 hour'");
    const first = await runNow(owner, 'every_hour');
    expect(first).toMatchObject({ status: 'SUCCESS', started_by: 'RUN NOW', window_start: null, window_end: '100', rows_scored: '100', model_version: 1, error: null });
    await owner.query('INSERT INTO events SELECT g, g / 10.0 FROM generate_series(101, 150) g');
    const second = await runNow(owner, 'every_hour');
    expect(second).toMatchObject({ status: 'SUCCESS', window_start: '100', window_end: '150', rows_scored: '50' });
    await owner.query('INSERT INTO events SELECT g, g / 10.0 FROM generate_series(151, 160) g');
    const third = await runNow(owner, 'every_hour');
    expect(third).toMatchObject({ status: 'SUCCESS', window_start: '150', window_end: '160', rows_scored: '10' });

    const check = await compareWithCompiledBody('sched.events_scored', 'id', 'sched.events');
    expect(check).toMatchObject({ rows: 160, distinct: 160 });
    expect(check.worst).toBeLessThan(1e-5);
    const byExecution = await direct.query('SELECT execution_id::text AS id, count(*)::int AS n FROM sched.events_scored GROUP BY 1 ORDER BY 1');
    expect(byExecution.rows).toEqual([
      { id: first.execution_id, n: 100 },
      { id: second.execution_id, n: 50 },
      { id: third.execution_id, n: 10 },
    ]);
    const shown = new Map((await owner.query('SHOW INFERENCE SCHEDULE every_hour')).rows.map((r) => [r.Key, r.Value]));
    expect(shown.get('Last Watermark')).toBe('160');
    expect(shown.get('Last Execution Status')).toBe('SUCCESS');
    expect((await owner.query('SHOW INFERENCE EXECUTIONS FOR every_hour LIMIT 1')).rows.map((r) => r.execution_id)).toEqual([third.execution_id]);
    const listed = await owner.query('SHOW INFERENCE SCHEDULES');
    expect(listed.rows).toMatchObject([{ schema_name: 'sched', schedule_name: 'every_hour', model: 'sched.lin', status: 'SCHEDULED', last_watermark: '160' }]);
  });

  test('the clock: a schedule whose START AT has passed runs at once, then waits for its next time on the grid', async () => {
    await owner.query('CREATE TABLE ticks (id bigint, x float8)');
    await owner.query('INSERT INTO ticks SELECT g, g FROM generate_series(1, 10) g');
    const startAt = (await direct.query(`SELECT (date_trunc('minute', now()) - interval '1 hour')::text AS t`)).rows[0].t;
    await owner.query(`CREATE INFERENCE SCHEDULE clocked FOR MODEL lin FROM ticks KEY id INTO ticks_out EVERY '1 minute' START AT '${startAt}'`);
    const [first] = await finishedExecutions(owner, 'clocked', 1);
    expect(first).toMatchObject({ status: 'SUCCESS', started_by: 'SCHEDULE', rows_scored: '10' });
    // The next run is the grid's next minute after the execution began: missed runs are not made up.
    const next = await direct.query(
      `SELECT s.next_run = date_trunc('minute', x.started_at) + interval '1 minute' AS on_grid
         FROM modelgres.inference_schedule s JOIN modelgres.inference_execution x USING (schedule_id) WHERE s.schedule_name = 'clocked'`,
    );
    expect(next.rows).toEqual([{ on_grid: true }]);
    await owner.query('DROP INFERENCE SCHEDULE clocked');
  });

  test('a timestamp KEY with DELAY: rows inside the delay wait, late rows within it are picked up', async () => {
    await owner.query('CREATE TABLE meter (id bigint, x float8, at timestamptz)');
    await owner.query(`INSERT INTO meter SELECT g, g, now() - interval '1 hour' + g * interval '1 second' FROM generate_series(1, 20) g`);
    // Too recent for the first execution: inside its DELAY.
    await owner.query(`INSERT INTO meter SELECT g, g, now() + (g - 21) * interval '1 millisecond' FROM generate_series(21, 25) g`);
    await owner.query("CREATE INFERENCE SCHEDULE delayed FOR MODEL lin FROM meter KEY at INTO meter_scored EVERY '1 minute' DELAY '4 seconds'");
    const first = await runNow(owner, 'delayed');
    expect(first).toMatchObject({ status: 'SUCCESS', rows_scored: '20' });
    // A row that arrives late, its time after the first window's end: the next window holds it.
    // One older than that window's end came later than DELAY allows, and is not scored.
    await direct.query(`INSERT INTO sched.meter VALUES (26, 26, $1::timestamptz + interval '1 millisecond'),
                                                        (27, 27, $1::timestamptz - interval '1 second')`, [first.window_end]);
    // The recent rows must leave the DELAY behind: wait on PostgreSQL's clock.
    await pollUntil('the recent rows to be older than DELAY', async () => (await direct.query(
      `SELECT now() - interval '4 seconds' > max(at) AS ok FROM sched.meter`)).rows[0].ok, (ok) => ok === true, { timeoutMs: 15_000, intervalMs: 200 });
    const second = await runNow(owner, 'delayed');
    expect(second).toMatchObject({ status: 'SUCCESS', rows_scored: '6', window_start: first.window_end });
    const scored = await direct.query('SELECT m.id::int FROM sched.meter_scored t JOIN sched.meter m USING (at) ORDER BY m.id');
    expect(scored.rows.map((r) => r.id)).toEqual([...Array.from({ length: 26 }, (_, i) => i + 1)]);
    const check = await compareWithCompiledBody('sched.meter_scored', 'at', 'sched.meter');
    expect(check).toMatchObject({ rows: 26, distinct: 26 });
    expect(check.worst).toBeLessThan(1e-5);
  });

  test('a failed execution leaves nothing, says why, and its window is scored by the next one', async () => {
    await owner.query('CREATE TABLE orders (id bigint, x float8)');
    await owner.query("CREATE INFERENCE SCHEDULE retried FOR MODEL lin FROM orders KEY id INTO orders_scored EVERY '1 hour'");
    await owner.query('INSERT INTO orders SELECT g, g FROM generate_series(1, 40) g');
    expect(await runNow(owner, 'retried')).toMatchObject({ status: 'SUCCESS', rows_scored: '40' });
    await owner.query('INSERT INTO orders SELECT g, g FROM generate_series(41, 90) g');
    // The target made unwritable for the owner: PostgreSQL refuses the COPY.
    await direct.query(`REVOKE INSERT ON sched.orders_scored FROM ${OWNER}`);
    const listener = await proxy.direct();
    const events: string[] = [];
    listener.on('notification', (n) => events.push(n.payload ?? ''));
    await listener.query('LISTEN modelgres_events');
    const failed = await runNow(owner, 'retried');
    expect(failed).toMatchObject({ status: 'FAILED', rows_scored: null, window_start: '40', window_end: '90', error: 'permission denied for table orders_scored' });
    const event = await pollUntil('the failure event', async () => events.map((e) => JSON.parse(e)).find((e) => e.event === 'inference_execution_failed'), (e) => e !== undefined);
    expect(event).toMatchObject({ schedule: 'sched.retried', model: 'sched.lin', execution_id: Number(failed.execution_id), error: 'permission denied for table orders_scored' });
    expect((await direct.query('SELECT count(*)::int AS n FROM sched.orders_scored')).rows[0].n).toBe(40);
    expect(new Map((await owner.query('SHOW INFERENCE SCHEDULE retried')).rows.map((r) => [r.Key, r.Value])).get('Last Watermark')).toBe('40');

    await direct.query(`GRANT INSERT ON sched.orders_scored TO ${OWNER}`);
    expect(await runNow(owner, 'retried')).toMatchObject({ status: 'SUCCESS', window_start: '40', window_end: '90', rows_scored: '50' });
    const check = await compareWithCompiledBody('sched.orders_scored', 'id', 'sched.orders');
    expect(check).toMatchObject({ rows: 90, distinct: 90 });
    expect(check.worst).toBeLessThan(1e-5);

    // Without EXECUTE on the model the owner's execution fails too: PostgreSQL's permissions, not the worker's.
    await admin.query(`REVOKE EXECUTE ON MODEL sched.lin FROM ${OWNER}`);
    await owner.query('INSERT INTO orders VALUES (91, 91)');
    const refused = await runNow(owner, 'retried');
    expect(refused).toMatchObject({ status: 'FAILED', window_start: '90' });
    expect(refused.error).toBe(`permission denied for model lin: the schedule's owner ${OWNER} may not execute it`);
    await admin.query(`GRANT EXECUTE ON MODEL sched.lin TO ${OWNER}`);
    expect(await runNow(owner, 'retried')).toMatchObject({ status: 'SUCCESS', window_start: '90', window_end: '91', rows_scored: '1' });
  });

  test('an execution keeps the version it started with; the next one uses the newly activated version', async () => {
    await admin.query('ALTER MODEL sched.lin SET ACTIVATION MANUAL');
    await admin.query('ALTER MODEL sched.lin RETRAIN FROM (SELECT x, -5 * x AS y FROM sched.train)');
    await admin.query('WAIT FOR MODEL sched.lin');
    await owner.query('CREATE TABLE sales (id bigint, x float8)');
    await owner.query('INSERT INTO sales SELECT g, g FROM generate_series(1, 30) g');
    await owner.query("CREATE INFERENCE SCHEDULE versioned FOR MODEL lin FROM sales KEY id INTO sales_scored EVERY '1 hour'");
    // Hold the target so the execution waits inside its COPY, then activate version 2 meanwhile.
    const holder = await proxy.direct();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE sched.sales_scored IN ACCESS EXCLUSIVE MODE');
    await owner.query('ALTER INFERENCE SCHEDULE versioned RUN NOW');
    await pollUntil('the execution to wait on the held target', async () => (await direct.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'sched.sales_scored'::regclass AND NOT granted`)).rows[0].n, (n) => n > 0);
    expect((await executions(owner, 'versioned')).map((e) => e.status)).toEqual(['IN_PROGRESS']);
    await admin.query('ALTER MODEL sched.lin SET ACTIVE VERSION 2');
    await holder.query('COMMIT');
    const [running] = await finishedExecutions(owner, 'versioned', 1);
    expect(running).toMatchObject({ status: 'SUCCESS', model_version: 1, rows_scored: '30' });

    await owner.query('INSERT INTO sales SELECT g, g FROM generate_series(31, 45) g');
    expect(await runNow(owner, 'versioned')).toMatchObject({ status: 'SUCCESS', model_version: 2, rows_scored: '15' });
    const versions = await direct.query('SELECT model_version, min(id)::int AS lo, max(id)::int AS hi FROM sched.sales_scored GROUP BY 1 ORDER BY 1');
    expect(versions.rows).toEqual([{ model_version: 1, lo: 1, hi: 30 }, { model_version: 2, lo: 31, hi: 45 }]);
    const check = await compareWithCompiledBody('sched.sales_scored', 'id', 'sched.sales');
    expect(check).toMatchObject({ rows: 45, distinct: 45 });
    expect(check.worst).toBeLessThan(1e-5);
  });

  test('two processes with three workers between them never run one schedule twice at once, nor score a row twice', async () => {
    const second = await startModelgres({
      upstreamUrl: proxy.upstreamUrl,
      host: '127.0.0.1',
      port: 0,
      workers: 0,
      scheduleWorkers: 2,
      log: createLogger('error'),
    });
    try {
      await owner.query('CREATE TABLE clicks (id bigint, x float8)');
      const names = ['race_a', 'race_b', 'race_c'];
      for (const name of names) {
        await owner.query(`CREATE INFERENCE SCHEDULE ${name} FOR MODEL lin FROM clicks KEY id INTO ${name}_out EVERY '1 minute'`);
      }
      const url = new URL(proxy.url);
      url.username = OWNER;
      url.port = String(second.port);
      const viaSecond = new pg.Client({ connectionString: url.toString() });
      await viaSecond.connect();
      await viaSecond.query('SET search_path = sched');
      try {
        for (let round = 0; round < 6; round++) {
          await owner.query(`INSERT INTO clicks SELECT g, g FROM generate_series(${round * 100 + 1}, ${round * 100 + 100}) g`);
          // RUN NOW from both proxies at once, over and over: requests race with executions under way.
          await Promise.all(names.flatMap((name) => [
            owner.query(`ALTER INFERENCE SCHEDULE ${name} RUN NOW`),
            viaSecond.query(`ALTER INFERENCE SCHEDULE ${name} RUN NOW`),
          ]));
        }
        for (const name of names) {
          await pollUntil(`${name} to have scored every row`, async () => (await direct.query(
            `SELECT count(*)::int AS n FROM sched.${name}_out`)).rows[0].n, (n) => n >= 600, { timeoutMs: 30_000 });
          const list = await finishedExecutions(owner, name, 1);
          const check = await compareWithCompiledBody(`sched.${name}_out`, 'id', 'sched.clicks');
          expect(check).toMatchObject({ rows: 600, distinct: 600 });
          // One at a time: each execution began after the one before it had finished.
          for (let i = 1; i < list.length; i++) expect(list[i].started_at.getTime()).toBeGreaterThanOrEqual(list[i - 1].finished_at!.getTime());
          expect(list.every((e) => e.status === 'SUCCESS')).toBe(true);
        }
        // Three schedules due at once, three workers: the work was shared, not run by one worker alone.
        const workers = await direct.query(`SELECT count(DISTINCT worker)::int AS n FROM modelgres.inference_execution x
                                              JOIN modelgres.inference_schedule s USING (schedule_id) WHERE s.schedule_name LIKE 'race%'`);
        expect(workers.rows[0].n).toBeGreaterThanOrEqual(2);
      } finally {
        await viaSecond.end();
      }
    } finally {
      await second.close();
    }
  });

  test('DROP MODEL ... CASCADE drops the schedules that use it; their targets stay', async () => {
    await admin.query('DROP MODEL sched.lin CASCADE');
    expect((await owner.query('SHOW INFERENCE SCHEDULES')).rows).toEqual([]);
    expect((await direct.query('SELECT count(*)::int AS n FROM modelgres.inference_execution')).rows[0].n).toBe(0);
    expect((await direct.query('SELECT count(*)::int AS n FROM sched.events_scored')).rows[0].n).toBe(160);
  });
});
