import type pg from 'pg';
import { lastTrainingSeconds, modelVersions, trainingJobs } from '../metrics/metrics-registry.ts';

/**
 * Sets the gauges that come from the catalog (jobs, versions, training times), read on the
 * proxy's own connection just before a scrape is answered.
 */
export async function refreshCatalogGauges(pool: pg.Pool): Promise<void> {
  const [jobs, versions, trainings] = await Promise.all([
    pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM modelgres.job GROUP BY state'),
    pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM modelgres.model_version GROUP BY state'),
    pool.query<{ model: string; version: number; seconds: number }>(
      `SELECT DISTINCT ON (v.model_id) m.schema_name || '.' || m.model_name AS model, v.version,
              extract(epoch FROM v.training_finished_at - v.training_started_at)::float8 AS seconds
         FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
        WHERE v.training_finished_at IS NOT NULL AND v.training_started_at IS NOT NULL
        ORDER BY v.model_id, v.training_finished_at DESC`,
    ),
  ]);
  trainingJobs.reset();
  for (const state of ['queued', 'running', 'done']) trainingJobs.set({ state }, 0);
  for (const r of jobs.rows) trainingJobs.set({ state: r.state }, Number(r.n));
  modelVersions.reset();
  for (const r of versions.rows) modelVersions.set({ state: r.state }, Number(r.n));
  lastTrainingSeconds.reset();
  for (const r of trainings.rows) lastTrainingSeconds.set({ model: r.model, version: String(r.version) }, r.seconds);
}
