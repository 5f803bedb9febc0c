import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { TypeOid } from '../../catalog/pg-types.ts';
import { commandComplete, dataRow, rowDescription } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../proxy/statement-context.ts';
import { predictBatch, type ClassValue } from '../../inference/predict-batch.ts';
import { resolveModelVersion } from '../../inference/resolve-model-version.ts';
import type { ModelFunction } from '../../inference/model-function-registry.ts';
import { ClassificationAccumulator, RegressionAccumulator } from '../../monitor/evaluation-metrics.ts';
import { featureSelectExpression } from '../../snapshot/feature-select-expression.ts';
import { quoteIdent, quoteQualified } from '../../sql/quote.ts';
import type { EvaluateModel } from '../ast/evaluate-model.ts';
import type { ShowModelEvaluations } from '../ast/show-model.ts';
import { modelKey } from './model-target.ts';
import { sendQueryResult } from './query-result.ts';

const BATCH_ROWS = 8192;
const CURSOR = 'modelgres_evaluation';

/**
 * EVALUATE MODEL m [VERSION n] FROM source: predicts every row of the source (which must hold the
 * model's feature columns and its TARGET) and compares. The result is kept for SHOW MODEL m
 * EVALUATIONS. Needs EXECUTE on the model, like calling it.
 */
export async function evaluateModel(s: EvaluateModel, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const link = context.upstream;
  const found = await link.query(
    `SELECT model_id::text, function_schema, function_name, array_to_string(parameter_names, ','),
            array_to_string(parameter_types, ','), target_column, problem_type, active_version
       FROM modelgres.models WHERE schema_name = $1 AND model_name = $2`,
    [schema, name],
  );
  const m = found.rows[0];
  if (!m) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  const [modelId, functionSchema, functionName, names, types, target, problemType, active] = m;
  if (!target) throw new ClientError(SqlState.featureNotSupported, `model "${name}" has no TARGET to evaluate against`);
  const version = s.version ?? (active === null ? null : Number(active));
  if (version === null) throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${name}" has no active version`);

  const base = {
    modelId: modelId!,
    modelSchema: schema,
    modelName: name,
    functionSchema: functionSchema!,
    name: `${functionName}_v${version}`,
    parameterNames: names!.split(','),
    parameterTypes: types!.split(','),
    problemType,
    pinnedVersion: version,
  };
  const value: ModelFunction = { ...base, output: 'value', returnType: 'text' };
  const resolved = await resolveModelVersion(context, value);
  const runner = await context.inference!.sessions.get(resolved.jobName, () => resolved.loadOnnx());
  const classes = resolved.classes as ClassValue[] | null;
  const binary = problemType === 'BINARY_CLASSIFICATION' && classes !== null && classes.length === 2;
  const probabilities: ModelFunction = { ...base, output: 'probabilities', returnType: 'jsonb' };

  const sourceSql = s.source.kind === 'Table' ? `SELECT * FROM ${quoteQualified(s.source.table)}` : s.source.text;
  const inputs = base.parameterNames.map((p, j) => featureSelectExpression(quoteIdent(p), base.parameterTypes[j]));
  const own = context.transactionStatus() === 'I';
  if (own) await link.query('BEGIN');
  const regression = problemType === 'REGRESSION' ? new RegressionAccumulator() : null;
  const classification = regression ? null : new ClassificationAccumulator(binary ? classText(classes![1]) : null);
  try {
    await link.query(
      `DECLARE ${CURSOR} NO SCROLL CURSOR FOR SELECT ${inputs.join(', ')}, ${quoteIdent(target)}::text FROM (${sourceSql}) AS evaluation_data`,
    );
    for (;;) {
      if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
      const batch = await link.query(`FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`);
      const rows = batch.rows.filter((r) => r[inputs.length] !== null); // no TARGET, nothing to compare
      if (rows.length > 0) {
        const args = inputs.map((_, j) => rows.map((r) => r[j]));
        const predicted = await predictBatch(runner, { ...value, returnType: regression ? 'float8' : 'text' }, classes, args, rows.length, resolved.ioPlan);
        const probs = binary ? await predictBatch(runner, probabilities, classes, args, rows.length, resolved.ioPlan) : null;
        rows.forEach((r, i) => {
          const actual = r[inputs.length]!;
          if (regression) {
            regression.add(Number(actual), Number(predicted[i]));
          } else {
            const positive = probs ? positiveProbability(probs[i]!, classText(classes![1])) : undefined;
            classification!.add(normalise(actual), normalise(predicted[i] ?? ''), positive);
          }
        });
      }
      if (batch.rows.length < BATCH_ROWS) break;
    }
    await link.query(`CLOSE ${CURSOR}`);
    const n = regression ? regression.rows : classification!.rows;
    if (n === 0) throw new ClientError(SqlState.invalidParameterValue, 'the evaluation data has no rows with a TARGET value');
    const metrics = regression ? regression.result() : classification!.result();
    const source = s.source.kind === 'Table' ? quoteQualified(s.source.table) : s.source.text.trim();
    await link.query('SELECT modelgres.record_evaluation(current_user, $1, $2, $3, $4, $5::jsonb)', [
      modelId!,
      String(version),
      source,
      String(n),
      JSON.stringify({ version, rows: n, ...metrics }),
    ]);
    if (own) await link.query('COMMIT');
    sendMetrics(context, metrics as unknown as Record<string, unknown>);
  } catch (error) {
    if (own) await link.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** SHOW MODEL m EVALUATIONS: every evaluation kept, oldest first. */
export async function showModelEvaluations(s: ShowModelEvaluations, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const exists = await context.upstream.query('SELECT 1 FROM modelgres.models WHERE schema_name = $1 AND model_name = $2', [schema, name]);
  if (exists.rows.length === 0) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  const result = await context.upstream.query(
    `SELECT version, evaluated_at, evaluated_by::text, source, row_count, metrics
       FROM modelgres.model_evaluations WHERE schema_name = $1 AND model_name = $2 ORDER BY evaluated_at`,
    [schema, name],
  );
  sendQueryResult(context, result, 'SHOW');
}

/** One row a metric: (metric text, value float8, detail jsonb) — the confusion matrix in detail. */
function sendMetrics(context: StatementContext, metrics: Record<string, unknown>): void {
  context.send(
    rowDescription([
      { name: 'metric', typeOid: TypeOid.text },
      { name: 'value', typeOid: TypeOid.float8 },
      { name: 'detail', typeOid: TypeOid.jsonb },
    ]),
  );
  let rows = 0;
  for (const [metric, v] of Object.entries(metrics)) {
    if (typeof v === 'number') context.send(dataRow([metric, String(v), null]));
    else if (v === null) context.send(dataRow([metric, null, null]));
    else context.send(dataRow([metric === 'confusion' ? 'confusion_matrix' : metric, null, JSON.stringify(v)]));
    rows++;
  }
  context.send(commandComplete(`SELECT ${rows}`));
}

function classText(value: ClassValue): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/** PostgreSQL's text of the TARGET, as the model's labels are written (bool as t/f). */
function normalise(actual: string): string {
  return actual === 'true' ? 't' : actual === 'false' ? 'f' : actual;
}

function positiveProbability(json: string, positive: string): number {
  const parsed = JSON.parse(json) as { labels: ClassValue[]; probabilities: number[] };
  const i = parsed.labels.findIndex((l) => classText(l) === positive);
  return i < 0 ? 0 : parsed.probabilities[i];
}
