import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { isConnectionLost, OutageLog, withClient } from '../catalog/connection-loss.ts';
import { ListenConnection } from '../catalog/listen-connection.ts';
import type { OnnxSessionCache } from '../inference/onnx-session-cache.ts';
import type { Logger } from '../util/logger.ts';
import { EVENTS_CHANNEL, SCHEDULE_CHANNEL, type ExecutionFailedEvent } from './execution-events.ts';
import { runExecution, type ClaimedSchedule } from './run-execution.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

export interface ScheduleWorkerOptions {
  upstreamUrl: string;
  log: Logger;
  /** The onnxruntime sessions of this process, shared with its model calls. */
  sessions: OnnxSessionCache;
  /** Fallback poll when no NOTIFY arrives (default 1 s): a schedule's clock has no notification. */
  pollMilliseconds?: number;
}

/**
 * Runs the executions of inference schedules, one at a time. A due schedule is claimed by locking
 * its watermark row FOR UPDATE SKIP LOCKED in a transaction that stays open for the execution:
 * another worker (in this process or any other) passes it by, and a worker that dies releases it
 * with its connection. The execution's row is written on a second connection, so SHOW INFERENCE
 * EXECUTIONS sees IN_PROGRESS while it runs and FAILED after a rollback.
 */
export class InferenceScheduleWorker {
  private readonly pool: pg.Pool;
  private readonly listener: ListenConnection;
  private readonly outage: OutageLog;
  readonly workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly abort = new AbortController();
  private stopped = false;
  private wake: (() => void) | null = null;
  private nudged = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: ScheduleWorkerOptions) {
    this.pool = backgroundPool({ connectionString: options.upstreamUrl, max: 2 });
    this.outage = new OutageLog(options.log, 'inference schedule worker');
    this.pool.on('error', (e) => {
      if (!this.outage.lost(e)) options.log.warn('inference schedule worker connection error', e);
    });
    this.listener = new ListenConnection({
      url: options.upstreamUrl,
      channels: [SCHEDULE_CHANNEL],
      log: options.log,
      onNotification: () => this.nudge(),
      onReconnect: () => this.nudge(),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.loop = this.run();
  }

  /** Stops after the execution under way, which is canceled (and so rolled back, and retried later). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.nudge();
    await this.loop;
    await this.listener.stop();
    await this.pool.end();
  }

  private nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        while (!this.stopped && (await this.runNext())) {
          // one execution after another while schedules are due
        }
        this.outage.recovered();
      } catch (error) {
        if (!this.outage.lost(error)) this.options.log.warn('inference schedule worker', error);
      }
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.nudged || this.stopped) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.pollMilliseconds ?? 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    }).then(() => {
      this.wake = null;
      this.nudged = false;
    });
  }

  /** Claims one due schedule and runs its execution; false when none is due. */
  private async runNext(): Promise<boolean> {
    // withClient listens for the connection's loss while the client is out of the pool.
    return withClient(this.pool, (claim) => this.claimAndRun(claim));
  }

  private async claimAndRun(claim: pg.PoolClient): Promise<boolean> {
    try {
      await claim.query('BEGIN');
      const found = await claim.query<ClaimedSchedule>(
        `SELECT s.schedule_id::text, s.schema_name, s.schedule_name, s.owner, m.schema_name AS model_schema, m.model_name,
                s.source_sql, s.search_path, s.key_column, s.key_type, s.target_schema, s.target_table, s.delay::text,
                s.run_requested, w.watermark
           FROM modelgres.inference_watermark w
           JOIN modelgres.inference_schedule s USING (schedule_id)
           JOIN modelgres.model m USING (model_id)
          WHERE s.run_requested OR (s.state = 'SCHEDULED' AND s.next_run <= now())
          ORDER BY s.run_requested DESC, s.next_run
          LIMIT 1
            FOR UPDATE OF w SKIP LOCKED`,
      );
      const schedule = found.rows[0];
      if (!schedule) {
        await claim.query('ROLLBACK');
        return false;
      }
      await this.execute(claim, schedule);
      return true;
    } catch (error) {
      await claim.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  private async execute(claim: pg.PoolClient, schedule: ClaimedSchedule): Promise<void> {
    const begun = await this.pool.query<{ execution_id: string; model_version: number | null }>(
      `WITH stale AS (
         UPDATE modelgres.inference_execution
            SET status = 'FAILED', finished_at = clock_timestamp(), error = 'the worker running it stopped before it finished'
          WHERE schedule_id = $1 AND status = 'IN_PROGRESS'),
       advanced AS (
         UPDATE modelgres.inference_schedule
            SET run_requested = false,
                next_run = CASE WHEN next_run <= now()
                                THEN modelgres.next_schedule_time(start_at, every, now() + interval '1 microsecond')
                                ELSE next_run END
          WHERE schedule_id = $1)
       INSERT INTO modelgres.inference_execution (schedule_id, status, started_by, model_version, worker)
       SELECT $1, 'IN_PROGRESS', CASE WHEN $2 THEN 'RUN NOW' ELSE 'SCHEDULE' END, m.active_version, $3
         FROM modelgres.inference_schedule s JOIN modelgres.model m USING (model_id) WHERE s.schedule_id = $1
       RETURNING execution_id::text, model_version`,
      [schedule.schedule_id, schedule.run_requested, this.workerId],
    );
    const execution = begun.rows[0];
    const window: { start: string | null; end: string | null } = { start: schedule.watermark, end: null };
    try {
      if (execution.model_version === null) throw new Error(`model ${schedule.model_name} has no active version`);
      const result = await runExecution(claim, schedule, { id: execution.execution_id, version: execution.model_version }, this.options.sessions, this.abort.signal, window);
      if (result.windowEnd !== null) {
        await claim.query(`UPDATE modelgres.inference_watermark SET watermark = $2, updated_at = now() WHERE schedule_id = $1`, [
          schedule.schedule_id,
          result.windowEnd,
        ]);
      }
      await claim.query(
        `UPDATE modelgres.inference_execution
            SET status = 'SUCCESS', finished_at = clock_timestamp(), window_start = $2, window_end = $3, rows_scored = $4
          WHERE execution_id = $1`,
        [execution.execution_id, result.windowStart, result.windowEnd, result.rows],
      );
      await claim.query('COMMIT');
    } catch (error) {
      await claim.query('ROLLBACK').catch(() => {});
      if (isConnectionLost(error)) throw error;
      await this.recordFailure(schedule, execution, window, error);
    }
  }

  /** FAILED with the reason, and NOTIFY modelgres_events; the window stays for the next execution. */
  private async recordFailure(
    schedule: ClaimedSchedule,
    execution: { execution_id: string; model_version: number | null },
    window: { start: string | null; end: string | null },
    error: unknown,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const event: ExecutionFailedEvent = {
      event: 'inference_execution_failed',
      schedule: `${schedule.schema_name}.${schedule.schedule_name}`,
      model: `${schedule.model_schema}.${schedule.model_name}`,
      execution_id: Number(execution.execution_id),
      model_version: execution.model_version,
      window_start: window.start,
      window_end: window.end,
      error: reason,
      failed_at: new Date().toISOString(),
    };
    this.options.log.info(`inference execution ${execution.execution_id} of ${event.schedule} failed: ${reason}`);
    await this.pool.query(
      `WITH failed AS (
         UPDATE modelgres.inference_execution
            SET status = 'FAILED', finished_at = clock_timestamp(), window_start = $2, window_end = $3, error = $4
          WHERE execution_id = $1)
       SELECT pg_notify($5, $6)`,
      [execution.execution_id, window.start, window.end, reason, EVENTS_CHANNEL, JSON.stringify(event)],
    );
  }
}
