import type pg from 'pg';
import { withClient } from '../catalog/connection-loss.ts';

export interface ClaimedJob {
  jobId: string;
  jobName: string;
  attempts: number;
  /** Seconds from the job's queueing (CREATE MODEL's transaction start) to this claim, by PostgreSQL's clock. */
  secondsSinceQueued: number;
}

/**
 * The training queue in PostgreSQL. A job is claimed with FOR UPDATE SKIP LOCKED under a lease;
 * the worker renews the lease while it trains. A job whose lease ran out (its worker died) is
 * claimed again by the next worker, up to `maxAttempts` times.
 */
export class JobQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly workerId: string,
    private readonly leaseSeconds: number,
  ) {}

  async claim(): Promise<ClaimedJob | null> {
    const r = await this.pool.query(
      `WITH next AS (
         SELECT job_id FROM modelgres.job
          WHERE state = 'queued' OR (state = 'running' AND lease_until < now())
          ORDER BY created_at
          FOR UPDATE SKIP LOCKED
          LIMIT 1)
       UPDATE modelgres.job j
          SET state = 'running', attempts = j.attempts + 1, lease_owner = $1,
              lease_until = now() + make_interval(secs => $2)
         FROM next WHERE j.job_id = next.job_id
       RETURNING j.job_id::text, j.job_name, j.attempts, extract(epoch from clock_timestamp() - j.created_at)::float8 AS since_queued`,
      [this.workerId, this.leaseSeconds],
    );
    const row = r.rows[0];
    return row ? { jobId: row.job_id, jobName: row.job_name, attempts: row.attempts, secondsSinceQueued: row.since_queued } : null;
  }

  /**
   * Renews the lease and records progress. False when the job is gone (DROP MODEL) or another
   * worker holds it now: the caller must stop training.
   */
  async heartbeat(job: ClaimedJob, progress: object | null): Promise<boolean> {
    const r = await this.pool.query(
      `WITH lease AS (
         UPDATE modelgres.job SET lease_until = now() + make_interval(secs => $3)
          WHERE job_id = $1 AND lease_owner = $2 AND state = 'running' AND attempts = $5
         RETURNING job_name)
       UPDATE modelgres.model_version v SET progress = coalesce($4::jsonb, v.progress)
         FROM lease WHERE v.job_name = lease.job_name AND v.state = 'TRAINING'
       RETURNING 1`,
      [job.jobId, this.workerId, this.leaseSeconds, progress ? JSON.stringify(progress) : null, job.attempts],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Runs `fn` in a transaction only while this worker still holds the job's lease. */
  whileHeld(job: ClaimedJob, fn: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
    return withClient(this.pool, async (client) => {
      try {
        await client.query('BEGIN');
        const held = await client.query(
          `SELECT 1 FROM modelgres.job WHERE job_id = $1 AND lease_owner = $2 AND attempts = $3 AND state = 'running' FOR UPDATE`,
          [job.jobId, this.workerId, job.attempts],
        );
        if (held.rowCount === 0) {
          await client.query('ROLLBACK');
          return false;
        }
        await fn(client);
        await client.query(`UPDATE modelgres.job SET state = 'done', lease_until = NULL WHERE job_id = $1`, [job.jobId]);
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }
}
