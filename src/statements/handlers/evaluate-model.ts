import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { ClassValue } from '../../inference/predict-batch.ts';
import { ClassificationAccumulator, RegressionAccumulator } from '../../monitor/evaluation-metrics.ts';
import { quoteQualified } from '../../sql/identifiers.ts';
import { sourceLabel } from './source-label.ts';
import { openModel, streamScores } from '../../monitor/score-source.ts';
import type { EvaluateModel } from '../ast/evaluate-model.ts';
import type { ShowModelEvaluations } from '../ast/show-model.ts';
import { modelKey } from './model-target.ts';
import { sendRows } from './send-rows.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';


/**
 * EVALUATE MODEL m [VERSION n] FROM source: predicts every row of the source (which must hold the
 * model's feature columns and its TARGET) and compares. The result is kept for SHOW MODEL m
 * EVALUATIONS. Needs EXECUTE on the model, like calling it.
 */
export async function evaluateModel(s: EvaluateModel, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const model = await openModel(context, context.inference.sessions, schema, name, s.version);
  if (!model.target) throw new ClientError(SqlState.featureNotSupported, `model "${name}" has no TARGET to evaluate against`);
  const classes = model.classes;
  const binary = model.problemType === 'BINARY_CLASSIFICATION' && classes !== null && classes.length === 2;
  const regression = model.problemType === 'REGRESSION' ? new RegressionAccumulator() : null;
  const classification = regression ? null : new ClassificationAccumulator(binary ? classText(classes![1]) : null);

  const sourceSql = s.source.kind === 'Table' ? `SELECT * FROM ${quoteQualified(s.source.table)}` : s.source.text;
  try {
    await streamScores(context, model, sourceSql, model.target, { probabilities: binary, numbers: true }, ({ rows, predictions, values, extra: actuals, probabilities }) => {
      for (let i = 0; i < rows; i++) {
        const actual = actuals[i];
        if (actual === null) continue; // no TARGET, nothing to compare
        if (regression) {
          regression.add(Number(actual), values ? values[i] : Number(predictions![i]));
        } else {
          // The positive class is classes[1]: its probability is the score the AUC ranks.
          classification!.add(normalise(actual), normalise(predictions![i] ?? ''), binary ? probabilities![i * 2 + 1] : undefined);
        }
      }
    });
  } catch (error) {
    classification?.close();
    throw error;
  }
  const n = regression ? regression.rows : classification!.rows;
  if (n === 0) throw new ClientError(SqlState.invalidParameterValue, 'the evaluation data has no rows with a TARGET value');
  const metrics = regression ? regression.result() : classification!.result();
  const source = await sourceLabel(context.upstream, s.source);
  await context.upstream.query('SELECT modelgres.record_evaluation(current_user, $1, $2, $3, $4, $5::jsonb)', [
    model.modelId,
    String(model.version),
    source,
    String(n),
    JSON.stringify({ version: model.version, rows: n, ...metrics }),
  ]);
  sendRows(context, metricRows(metrics), `SELECT ${Object.keys(metrics).length}`);
}

/** SHOW MODEL m EVALUATIONS: every evaluation kept, oldest first. */
export async function showModelEvaluations(s: ShowModelEvaluations, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const exists = await context.upstream.query('SELECT 1 FROM modelgres.models WHERE schema_name = $1 AND model_name = $2', [schema, name]);
  if (exists.rows.length === 0) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  const result = await context.upstream.query(
    `SELECT version, evaluated_at, evaluated_by::text, source, row_count, metrics
       FROM modelgres.model_evaluations WHERE schema_name = $1 AND model_name = $2 ORDER BY evaluated_at`,
    [schema, name],
  );
  sendRows(context, result.rows, 'SHOW');
}

/** One row a metric: (metric text, value float8, detail jsonb) — the confusion matrix in detail. */
function metricRows(metrics: object): Array<Array<string | null>> {
  return Object.entries(metrics).map(([metric, v]: [string, unknown]) => {
    if (typeof v === 'number') return [metric, String(v), null];
    if (v === null || v === undefined) return [metric, null, null];
    return [metric === 'confusion' ? 'confusion_matrix' : metric, null, JSON.stringify(v)];
  });
}

function classText(value: ClassValue): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/** PostgreSQL's text of the TARGET, as the model's labels are written (bool as t/f). */
function normalise(actual: string): string {
  return actual === 'true' ? 't' : actual === 'false' ? 'f' : actual;
}
