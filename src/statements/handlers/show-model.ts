import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { ShowModel, ShowModelVersion } from '../ast/show-model.ts';
import { currentSchema } from './current-schema.ts';
import { sendRows } from './send-rows.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';
import { describeProgress } from './training-progress.ts';
import { hostingRows } from './hosting-rows.ts';
import { forecastMetric, forecastRows } from './forecast-rows.ts';

/** XGBoost's hyperparameters and their defaults, listed by SHOW MODEL for AUTO OFF models. */
const XGBOOST_DEFAULTS: Record<string, string> = {
  num_round: '100',
  max_depth: '6',
  eta: '0.3',
  min_child_weight: '1',
  subsample: '1',
  gamma: '0',
  alpha: '0',
  lambda: '1',
  colsample_bytree: '1',
  colsample_bylevel: '1',
  colsample_bynode: '1',
  max_delta_step: '0',
};

interface Spec {
  auto?: boolean;
  modelType?: string;
  objective?: string;
  hyperparameters?: Record<string, string>;
  maxRuntime?: number;
  iamRole?: string;
  s3Bucket?: string;
  /** 'Remote' for CREATE MODEL ... SAGEMAKER (src/remote/); absent or 'Local' otherwise. */
  inferenceType?: string;
  maxBatchRows?: number;
}

/**
 * SHOW MODEL m: the Key | Value layout of Redshift ML, describing the active version (the latest
 * if none is active). Cost, IAM role and bucket are shown to the owner only.
 */
export async function showModel(statement: ShowModel | ShowModelVersion, _text: string, context: MlStatementContext): Promise<void> {
  const onlyVersion = statement.kind === 'ShowModelVersion' ? String(statement.version) : null;
  const schema = statement.model.schema ?? (await currentSchema(context));
  const models = await context.upstream.query(
    `SELECT m.model_id, m.model_name, m.schema_name, m.owner,
            to_char(m.created_at, 'Dy, DD.MM.YYYY HH24:MI:SS'), m.is_owner OR modelgres.is_superuser(current_user),
            m.function_name, array_to_string(m.parameter_names, ' '), array_to_string(m.parameter_types, ' '),
            m.target_column, m.active_version, m.problem_type, m.return_type, (SELECT count(*) FROM modelgres.model_versions v WHERE v.model_id = m.model_id)
       FROM modelgres.models m WHERE m.schema_name = $1 AND m.model_name = $2`,
    [schema, statement.model.name],
  );
  const m = models.rows[0];
  if (!m) throw new ClientError(SqlState.undefinedObject, `model "${statement.model.name}" does not exist`);
  const [modelId, modelName, schemaName, owner, created, isOwner, functionName, parameterNames, parameterTypes, targetColumn, activeVersion, modelProblemType, returnType, versionCount] = m;

  const versions = await context.upstream.query(
    `SELECT version, state, failure_reason, metric, metric_value, spec::text, training_source, model_type, problem_type,
            objective, job_name, training_rows, progress::text, extract(epoch from (clock_timestamp() - training_started_at)),
            source, cut_short, artifact_source, forecast_summary::text
       FROM modelgres.model_versions WHERE model_id = $1 AND ($2::int IS NULL OR version = $2::int)
      ORDER BY active DESC, version DESC LIMIT 1`,
    [modelId!, onlyVersion],
  );
  const v = versions.rows[0];
  if (!v) {
    throw new ClientError(SqlState.undefinedObject, `model "${statement.model.name}" has no version ${onlyVersion ?? ''}`.trim());
  }
  const [version, state, failureReason, metric, metricValue, specText, trainingSource, modelType, problemType, objective, jobName, trainingRows, progressText, elapsed, source, cutShort, artifactSource, forecastSummary] = v;
  const fromArtifact = source === 'COPIED' || source === 'IMPORTED';
  const spec = JSON.parse(specText ?? '{}') as Spec;
  const ownerOnly = (value: string | undefined) => (isOwner === 't' ? (value ?? '') : '');
  const forecast = modelProblemType === 'FORECAST';
  const isQuery = /^\s*select\b|^\s*with\b|^\s*values\b/i.test(trainingSource ?? '');

  const rows: Array<[string, string]> = [
    ['Model Name', modelName!],
    ['Schema Name', schemaName!],
    ['Owner', owner!],
    ['Creation Time', created!],
    ['Model State', state!],
  ];
  if (failureReason) rows.push(['Failure Reason', failureReason]);
  rows.push(
    [`validation:${metric ?? (forecast ? forecastMetric(spec) : defaultMetric(problemType ?? spec.modelType))}`, metricValue ?? ''],
    ['Estimated Cost', ownerOnly('0.000000')],
    ['', ''],
    ['TRAINING DATA:', ''],
    fromArtifact ? ['Artifact', artifactSource ?? ''] : [isQuery ? 'Query' : 'Table', trainingSource ?? ''],
    ['Target Column', (targetColumn ?? '').toUpperCase()],
    ['', ''],
    ['PARAMETERS:', ''],
    ['Model Type', (modelType ?? spec.modelType ?? 'AUTO').toLowerCase()],
    ['Problem Type', problemType ?? modelProblemType ?? ''],
    ['Objective', objective ?? spec.objective ?? ''],
    [spec.auto === false ? 'Training Job Name' : 'AutoML Job Name', jobName!],
    ['Function Name', functionName!],
    ['Function Parameters', parameterNames!],
    ['Function Parameter Types', parameterTypes!],
    ...(fromArtifact ? [['Function Return Type', returnType ?? ''] as [string, string]] : []),
    ['IAM Role', ownerOnly(spec.iamRole)],
    ['S3 Bucket', ownerOnly(spec.s3Bucket)],
    ['Max Runtime', String(spec.maxRuntime ?? '')],
    ['Inference Type', spec.inferenceType ?? 'Local'],
    ...(forecast ? forecastRows(spec, forecastSummary ?? null) : []),
    ...(spec.inferenceType === 'Remote' ? [['Max Batch Rows', String(spec.maxBatchRows ?? '')] as [string, string]] : []),
    ['Model Version', version!],
    ['Active Version', activeVersion ?? ''],
    ['Versions', versionCount!],
    ['Training Rows', trainingRows ?? ''],
  );
  // Once READY, a worker's last report says where the time went (none when trained in a session).
  if (state === 'TRAINING' || (state === 'READY' && progressText)) rows.push(['Training Progress', describeProgress(progressText, Number(elapsed ?? 0))]);
  if (cutShort === 't') rows.push(['Training Note', 'MAX_RUNTIME reached: training stopped early and kept the best model so far']);
  if (source && source !== 'TRAINED') rows.push(['Source', source]);
  rows.push(...(await hostingRows(context, schemaName!, modelName!)));
  if (spec.auto === false && (spec.modelType ?? modelType) === 'XGBOOST') {
    rows.push(['', ''], ['HYPERPARAMETERS:', '']);
    const effective = { ...XGBOOST_DEFAULTS, ...(spec.hyperparameters ?? {}) };
    for (const [key, value] of Object.entries(effective)) rows.push([key, value]);
  }
  sendRows(context, rows, 'SHOW');
}

function defaultMetric(problemType: string | undefined | null): string {
  if (problemType === 'BINARY_CLASSIFICATION') return 'f1';
  if (problemType === 'MULTICLASS_CLASSIFICATION') return 'accuracy';
  if (problemType === 'CLUSTERING') return 'msd';
  return 'mse';
}
