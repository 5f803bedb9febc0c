import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { Baseline } from '../../monitor/baseline.ts';
import { capturedSource } from '../../monitor/captured-source.ts';
import { DEFAULT_LINF_THRESHOLD, DEFAULT_PSI_THRESHOLD, measureDrift, PredictionCounts } from '../../monitor/drift.ts';
import { inputColumnOf, openModel, streamScores, type OpenedModel } from '../../monitor/score-source.ts';
import { StreamedFeatureCounts } from '../../monitor/streamed-feature-counts.ts';
import { BATCH_ROWS } from '../../inference/inference-deps.ts';
import { indexLeadingColumns, textColumn } from '../../inference/feature-decoding.ts';
import { PREDICTION_FEATURE } from '../../monitor/prediction-baseline.ts';
import { quoteQualified } from '../../sql/identifiers.ts';
import { DEFAULT_DRIFT_SAMPLE_ROWS, driftSample, sampledCheck } from '../../monitor/drift-sample.ts';
import { recordDrift } from '../../metrics/record-drift.ts';
import type { ShowModelDrift } from '../ast/show-model.ts';
import { modelKey } from './model-target.ts';
import { sendRows } from './send-rows.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';

/**
 * SHOW MODEL m DRIFT [FROM source | SINCE 'time']: a row a feature, comparing the source (read as
 * the caller; by default the calls captured with CAPTURE_PERCENT)
 * with the active version's training baseline — PSI for numeric features, L-infinity for
 * categorical ones, plus completeness, type, missing and extra column, and unseen category checks.
 */
export async function showModelDrift(s: ShowModelDrift, _t: string, context: MlStatementContext): Promise<void> {
  if (s.source && s.since !== undefined) {
    throw new ClientError(SqlState.syntaxError, 'SINCE applies to captured calls; it cannot go with FROM', {
      hint: 'Filter the FROM query instead.',
    });
  }
  const [schema, name] = await modelKey(s.model, context);
  const r = await context.upstream.query(
    `SELECT v.baseline::text, v.version, m.model_id::text FROM modelgres.models m JOIN modelgres.model_versions v USING (model_id)
      WHERE m.schema_name = $1 AND m.model_name = $2
      ORDER BY (v.version = m.active_version) DESC, v.version DESC LIMIT 1`,
    [schema, name],
  );
  if (!r.rows[0]) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  if (!r.rows[0][0]) {
    throw new ClientError(SqlState.objectNotInPrerequisiteState, `version ${r.rows[0][1]} of model "${name}" has no training baseline`, {
      hint: 'Versions copied or imported from an artifact have no training data to compare with.',
    });
  }
  const baseline = JSON.parse(r.rows[0][0]) as Baseline;
  // Without FROM: the calls captured by SET MONITORING (CAPTURE_PERCENT p), since SINCE if given.
  const fromSql = !s.source
    ? null
    : s.source.kind === 'Table'
      ? `SELECT * FROM ${quoteQualified(s.source.table)}`
      : s.source.text;
  // A FROM of many rows is read as a random sample of them (drift-sample.ts); captures are few.
  const sample = fromSql === null ? null : await driftSample(context.upstream, fromSql, context.settings.driftSampleRows ?? DEFAULT_DRIFT_SAMPLE_ROWS);
  const sourceSql = fromSql === null ? capturedSource(r.rows[0][2]!, baseline, s.since) : (sample?.sql ?? fromSql);
  const thresholds = { psi: DEFAULT_PSI_THRESHOLD, linf: DEFAULT_LINF_THRESHOLD };
  const counts = baseline.prediction ? new PredictionCounts(baseline.prediction) : null;
  let model: OpenedModel | null = null;
  let predicted = false;
  // With FROM, the features are counted from the rows the model scores: one scan, not two.
  const countWhileScoring = s.source && counts ? async (currentTypes: ReadonlyMap<string, string>) => {
    model = await openModel(context, context.inference.sessions, schema, name);
    const opened = model;
    const features = StreamedFeatureCounts.of(baseline.features, currentTypes, (feature, type) => inputColumnOf(opened, feature, type));
    if (!features) return null;
    await streamScores(context, model, sourceSql, null, { probabilities: false, numbers: counts.numeric }, ({ predictions, values, columns, fields }) => {
      features.add(columns, fields);
      if (values) counts.addNumbers(values);
      else for (const p of predictions!) counts.add(p);
    });
    predicted = true;
    return features.counts();
  } : undefined;
  const rows = await measureDrift(context.upstream, baseline, sourceSql, thresholds, countWhileScoring);
  const missing = rows.some((row) => row.check === 'missing column');
  if (baseline.prediction && missing) {
    rows.push({
      feature: PREDICTION_FEATURE, kind: baseline.prediction.kind, metric: null, value: null, threshold: null,
      drifted: false, baselineCount: baseline.prediction.count, currentCount: null, check: 'not predicted: a feature column is missing',
    });
  } else if (counts) {
    // The model's output on the same data: from the captures, or predicted here for FROM. Either
    // way counted batch by batch as the rows stream in: memory stays flat whatever their number.
    if (predicted) {
      // Already, while the features were counted.
    } else if (!s.source) {
      const when = s.since === undefined ? '' : ' AND captured_at >= $2::timestamptz';
      await context.upstream.stream(
        [{ sql: `SELECT output FROM modelgres.model_captures WHERE model_id = $1 AND output IS NOT NULL${when}`, params: s.since === undefined ? [r.rows[0][2]] : [r.rows[0][2], s.since] }],
        BATCH_ROWS,
        async (batch) => {
          for (const output of textColumn(indexLeadingColumns(batch.rows, 1), 0)) counts.add(output);
        },
      );
    } else {
      model ??= await openModel(context, context.inference.sessions, schema, name);
      await streamScores(context, model, sourceSql, null, { probabilities: false, numbers: counts.numeric }, ({ predictions, values }) => {
        if (values) counts.addNumbers(values);
        else for (const p of predictions!) counts.add(p);
      });
    }
    rows.push(counts.drift(thresholds));
  }
  if (sample) {
    for (const row of rows) if (row.currentCount !== null) row.check = sampledCheck(row.check, row.currentCount, sample);
  }
  recordDrift(`${schema}.${name}`, rows);
  const text = (v: number | null) => (v === null ? null : String(v));
  const values = rows.map((d) => [d.feature, d.kind, d.metric, text(d.value), text(d.threshold), d.drifted ? 't' : 'f', text(d.baselineCount), text(d.currentCount), d.check]);
  sendRows(context, values, `SELECT ${rows.length}`);
}
