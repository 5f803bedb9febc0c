import type pg from 'pg';
import type { Baseline } from '../monitor/baseline.ts';
import { countBins, measured } from '../monitor/baseline.ts';
import { capturedSource } from '../monitor/captured-source.ts';
import { DEFAULT_LINF_THRESHOLD, DEFAULT_PSI_THRESHOLD, measureDrift, type DriftRow } from '../monitor/drift.ts';
import { PgClientSession } from '../session/pg-client-session.ts';
import { quoteIdent } from '../sql/identifiers.ts';

/*
 * Everything the dashboard shows, read on the logged-in role's own connection: the catalog's views
 * filter by current_user, so a page shows exactly what that role may see in SQL.
 */

export interface ModelSummary {
  schema: string;
  name: string;
  owner: string;
  problemType: string | null;
  activeVersion: number | null;
  latestVersion: number | null;
  state: string | null;
  lastActivity: string | null;
}

export async function listModels(client: pg.Client): Promise<ModelSummary[]> {
  const r = await client.query(
    `SELECT m.schema_name, m.model_name, m.owner, m.problem_type, m.active_version, m.last_version,
            (SELECT v.state FROM modelgres.model_versions v WHERE v.model_id = m.model_id ORDER BY v.version DESC LIMIT 1) AS state,
            greatest((SELECT max(greatest(v.created_at, v.training_finished_at)) FROM modelgres.model_versions v WHERE v.model_id = m.model_id),
                     (SELECT max(e.evaluated_at) FROM modelgres.model_evaluations e WHERE e.model_id = m.model_id),
                     (SELECT max(c.captured_at) FROM modelgres.model_captures c WHERE c.model_id = m.model_id))::text AS last_activity
       FROM modelgres.models m ORDER BY m.schema_name, m.model_name`,
  );
  return r.rows.map((row) => ({
    schema: row.schema_name,
    name: row.model_name,
    owner: row.owner,
    problemType: row.problem_type,
    activeVersion: row.active_version,
    latestVersion: row.last_version,
    state: row.state,
    lastActivity: row.last_activity,
  }));
}

export interface VersionRow {
  version: number;
  state: string;
  active: boolean;
  source: string;
  createdAt: string;
  trainingStartedAt: string | null;
  trainingFinishedAt: string | null;
  trainingRows: number | null;
  metric: string | null;
  metricValue: number | null;
  progress: { done?: number; total?: number; unit?: string } | null;
  failureReason: string | null;
}

export interface EvaluationRow {
  version: number;
  evaluatedAt: string;
  evaluatedBy: string;
  source: string;
  rowCount: number;
  metrics: Record<string, unknown>;
}

export interface HostingRow {
  status: string | null;
  minUnits: number | null;
  maxUnits: number | null;
  desiredUnits: number;
  inServiceUnits: number;
}

export interface ScheduleRow {
  name: string;
  state: string;
  every: string;
  nextRun: string | null;
  target: string;
  watermark: string | null;
  lastStatus: string | null;
}

export interface ExecutionRow {
  schedule: string;
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  rowsScored: number | null;
  version: number | null;
  error: string | null;
}

export interface ModelDetail {
  summary: ModelSummary;
  modelId: string;
  versions: VersionRow[];
  evaluations: EvaluationRow[];
  hosting: HostingRow | null;
  /** The inference schedules of the model that the role owns (the catalog's view shows no others). */
  schedules: ScheduleRow[];
  /** Their latest executions, newest first. */
  executions: ExecutionRow[];
}

/** null: no such model, or the role may not see it. */
export async function modelDetail(client: pg.Client, schema: string, name: string): Promise<ModelDetail | null> {
  const summary = (await listModels(client)).find((m) => m.schema === schema && m.name === name);
  if (!summary) return null;
  const id = await client.query('SELECT model_id::text AS id FROM modelgres.models WHERE schema_name = $1 AND model_name = $2', [schema, name]);
  const modelId = id.rows[0].id as string;
  const versions = await client.query(
    `SELECT version, state, active, source, created_at::text, training_started_at::text, training_finished_at::text,
            training_rows::float8, metric, metric_value, progress, failure_reason
       FROM modelgres.model_versions WHERE model_id = $1 ORDER BY version`,
    [modelId],
  );
  const evaluations = await client.query(
    `SELECT version, evaluated_at::text, evaluated_by, source, row_count::float8, metrics
       FROM modelgres.model_evaluations WHERE model_id = $1 ORDER BY evaluated_at`,
    [modelId],
  );
  const hosting = await client.query(
    `SELECT inference_status, min_inference_units, max_inference_units, desired_units, in_service_units
       FROM modelgres.model_hosting_status WHERE schema_name = $1 AND model_name = $2`,
    [schema, name],
  );
  const schedules = await client.query(
    `SELECT schema_name || '.' || schedule_name AS name, state, every::text, next_run::text, target_schema || '.' || target_table AS target,
            watermark::text, last_status
       FROM modelgres.inference_schedules WHERE model_schema = $1 AND model_name = $2 ORDER BY 1`,
    [schema, name],
  );
  const executions = await client.query(
    `SELECT e.schema_name || '.' || e.schedule_name AS schedule, e.execution_id::float8 AS id, e.status, e.started_at::text,
            e.finished_at::text, e.rows_scored::float8, e.model_version, e.error
       FROM modelgres.inference_executions e
       JOIN modelgres.inference_schedules s USING (schema_name, schedule_name)
      WHERE s.model_schema = $1 AND s.model_name = $2 ORDER BY e.execution_id DESC LIMIT 50`,
    [schema, name],
  );
  const h = hosting.rows[0];
  return {
    summary,
    modelId,
    hosting: h
      ? { status: h.inference_status, minUnits: h.min_inference_units, maxUnits: h.max_inference_units, desiredUnits: h.desired_units, inServiceUnits: h.in_service_units }
      : null,
    schedules: schedules.rows.map((r) => ({ name: r.name, state: r.state, every: r.every, nextRun: r.next_run, target: r.target, watermark: r.watermark, lastStatus: r.last_status })),
    executions: executions.rows.map((r) => ({
      schedule: r.schedule, id: r.id, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, rowsScored: r.rows_scored, version: r.model_version, error: r.error,
    })),
    versions: versions.rows.map((v) => ({
      version: v.version,
      state: v.state,
      active: v.active === true,
      source: v.source,
      createdAt: v.created_at,
      trainingStartedAt: v.training_started_at,
      trainingFinishedAt: v.training_finished_at,
      trainingRows: v.training_rows,
      metric: v.metric,
      metricValue: v.metric_value,
      progress: v.progress,
      failureReason: v.failure_reason,
    })),
    evaluations: evaluations.rows.map((e) => ({
      version: e.version,
      evaluatedAt: e.evaluated_at,
      evaluatedBy: e.evaluated_by,
      source: e.source,
      rowCount: e.row_count,
      metrics: e.metrics,
    })),
  };
}

/** One feature's distributions: the training baseline's and the current data's, bin by bin. */
export interface FeatureHistogram {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Bin labels: value ranges of the baseline's deciles, or categories. */
  bins: string[];
  baseline: number[];
  current: number[];
  drift: DriftRow | null;
}

export interface DriftReport {
  version: number;
  /** What "current" is: the captured calls, or the table named. */
  source: string;
  features: FeatureHistogram[];
}

/**
 * The drift of a model's active version (else its latest with a baseline): each feature's
 * baseline histogram against the current data's, with the same PSI / L-infinity rows SHOW MODEL m
 * DRIFT answers. `table`: compare with this table instead of the captured calls.
 */
export async function driftReport(client: pg.Client, detail: ModelDetail, table: string | null): Promise<DriftReport | null> {
  const r = await client.query(
    `SELECT v.baseline::text AS baseline, v.version FROM modelgres.models m JOIN modelgres.model_versions v USING (model_id)
      WHERE m.model_id = $1 AND v.baseline IS NOT NULL
      ORDER BY (v.version = m.active_version) DESC, v.version DESC LIMIT 1`,
    [detail.modelId],
  );
  if (!r.rows[0]) return null;
  const baseline = JSON.parse(r.rows[0].baseline) as Baseline;
  const sourceSql = table ? `SELECT * FROM ${table.split('.').map(quoteIdent).join('.')}` : capturedSource(detail.modelId, baseline);
  const session = new PgClientSession(client);
  const rows = await measureDrift(session, baseline, sourceSql, { psi: DEFAULT_PSI_THRESHOLD, linf: DEFAULT_LINF_THRESHOLD });
  const from = `FROM (${sourceSql}) AS current_data`;
  const present = new Set((await session.query(`SELECT * ${from} LIMIT 0`)).fields.map((f) => f.name));
  const features: FeatureHistogram[] = [];
  for (const f of baseline.features) {
    const drift = rows.find((row) => row.feature === f.feature) ?? null;
    if (f.kind === 'numeric') {
      const current = present.has(f.feature) ? await countBins(session, from, measured(f.feature, f.type), f.edges) : f.binCounts.map(() => 0);
      features.push({ feature: f.feature, kind: 'numeric', bins: binLabels(f.edges), baseline: f.binCounts, current, drift });
    } else {
      const counts = new Map<string, number>();
      if (present.has(f.feature)) {
        const c = await session.query(`SELECT (${quoteIdent(f.feature)})::text, count(*) ${from} WHERE ${quoteIdent(f.feature)} IS NOT NULL GROUP BY 1`);
        for (const [value, n] of c.rows) counts.set(value!, Number(n));
      }
      const bins = f.top.map(([value]) => value);
      const known = new Set(bins);
      const others = [...counts].filter(([value]) => !known.has(value)).reduce((s, [, n]) => s + n, 0);
      features.push({
        feature: f.feature,
        kind: 'categorical',
        bins: f.otherCount > 0 || others > 0 ? [...bins, '(other)'] : bins,
        baseline: [...f.top.map(([, n]) => n), ...(f.otherCount > 0 || others > 0 ? [f.otherCount] : [])],
        current: [...bins.map((value) => counts.get(value) ?? 0), ...(f.otherCount > 0 || others > 0 ? [others] : [])],
        drift,
      });
    }
  }
  return { version: r.rows[0].version, source: table ?? 'captured calls', features };
}

/** The bins of decile edges e1 < ... < e9: (-inf, e1), [e1, e2), ..., [e9, +inf). */
function binLabels(edges: number[]): string[] {
  if (edges.length === 0) return ['all'];
  const fmt = (v: number) => Number(v.toPrecision(4)).toString();
  return [`< ${fmt(edges[0])}`, ...edges.slice(1).map((e, i) => `${fmt(edges[i])}–${fmt(e)}`), `≥ ${fmt(edges[edges.length - 1])}`];
}
