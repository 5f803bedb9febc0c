import type pg from 'pg';
import { inferenceUnits, lastTrainingSeconds, modelVersions, scheduleExecutions, trainingJobs } from '../metrics/metrics-registry.ts';

/**
 * Sets the gauges that come from the catalog (jobs, versions, training times), read on the
 * proxy's own connection just before a scrape is answered.
 */
export async function refreshCatalogGauges(pool: pg.Pool): Promise<void> {
  const [jobs, versions, trainings, units, executions] = await Promise.all([
    pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM modelgres.job GROUP BY state'),
    pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM modelgres.model_version GROUP BY state'),
    pool.query<{ model: string; version: number; seconds: number }>(
      `SELECT DISTINCT ON (v.model_id) m.schema_name || '.' || m.model_name AS model, v.version,
              extract(epoch FROM v.training_finished_at - v.training_started_at)::float8 AS seconds
         FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
        WHERE v.training_finished_at IS NOT NULL AND v.training_started_at IS NOT NULL
        ORDER BY v.model_id, v.training_finished_at DESC`,
    ),
    pool.query<{ model: string; desired: number; in_service: number }>(
      `SELECT m.schema_name || '.' || m.model_name AS model, sum(h.desired)::int AS desired, sum(h.in_service)::int AS in_service
         FROM modelgres.model_hosting h JOIN modelgres.model m USING (model_id) GROUP BY 1`,
    ),
    pool.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM modelgres.inference_execution GROUP BY status'),
  ]);
  trainingJobs.reset();
  for (const state of ['queued', 'running', 'done']) trainingJobs.set({ state }, 0);
  for (const r of jobs.rows) trainingJobs.set({ state: r.state }, Number(r.n));
  modelVersions.reset();
  for (const r of versions.rows) modelVersions.set({ state: r.state }, Number(r.n));
  lastTrainingSeconds.reset();
  for (const r of trainings.rows) lastTrainingSeconds.set({ model: r.model, version: String(r.version) }, r.seconds);
  inferenceUnits.reset();
  for (const r of units.rows) {
    inferenceUnits.set({ model: r.model, units: 'desired' }, r.desired);
    inferenceUnits.set({ model: r.model, units: 'in_service' }, r.in_service);
  }
  scheduleExecutions.reset();
  for (const r of executions.rows) scheduleExecutions.set({ status: r.status }, Number(r.n));
}
