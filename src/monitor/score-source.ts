import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { BATCH_ROWS, throwIfCanceled } from '../inference/inference-deps.ts';
import type { ModelFunction } from '../inference/model-function-registry.ts';
import type { ModelRunner, OnnxSessionCache } from '../inference/onnx-session-cache.ts';
import { inOwnTransaction } from '../session/own-transaction.ts';
import type { StatementContext } from '../session/statement-context.ts';
import { predictBatch, type ClassValue } from '../inference/predict-batch.ts';
import { resolveModelVersion, type ResolvedVersion } from '../inference/resolve-model-version.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import { quoteIdent } from '../sql/identifiers.ts';

const CURSOR = 'modelgres_scoring';

/** A version of a model opened for scoring data outside a statement's select list. */
export interface OpenedModel {
  modelId: string;
  version: number;
  target: string | null;
  problemType: string | null;
  value: ModelFunction;
  probabilities: ModelFunction;
  resolved: ResolvedVersion;
  runner: ModelRunner;
  classes: ClassValue[] | null;
}

/** The model's `version` (its active one by default), checked for EXECUTE like a call. */
export async function openModel(
  context: StatementContext,
  sessions: OnnxSessionCache,
  schema: string,
  name: string,
  version?: number,
): Promise<OpenedModel> {
  const found = await context.upstream.query(
    `SELECT model_id::text, function_schema, function_name, array_to_string(parameter_names, ','),
            array_to_string(parameter_types, ','), target_column, problem_type, active_version
       FROM modelgres.models WHERE schema_name = $1 AND model_name = $2`,
    [schema, name],
  );
  const m = found.rows[0];
  if (!m) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  const [modelId, functionSchema, functionName, names, types, target, problemType, active] = m;
  const chosen = version ?? (active === null ? null : Number(active));
  if (chosen === null) throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${name}" has no active version`);
  const base = {
    modelId: modelId!,
    modelSchema: schema,
    modelName: name,
    functionSchema: functionSchema!,
    name: `${functionName}_v${chosen}`,
    parameterNames: names!.split(','),
    parameterTypes: types!.split(','),
    problemType,
    pinnedVersion: chosen,
  };
  const value: ModelFunction = { ...base, output: 'value', returnType: problemType === 'REGRESSION' ? 'float8' : 'text' };
  const resolved = await resolveModelVersion(context, value);
  const runner = await sessions.get(resolved.jobName, () => resolved.loadOnnx());
  return {
    modelId: modelId!,
    version: chosen,
    target,
    problemType,
    value,
    probabilities: { ...base, output: 'probabilities', returnType: 'jsonb' },
    resolved,
    runner,
    classes: resolved.classes as ClassValue[] | null,
  };
}

/**
 * Predicts every row of a source (read as the caller, through a cursor, in batches): `onBatch`
 * gets the model's inputs column-major, its predictions, and the extra column's values.
 */
export async function scoreSource(
  context: StatementContext,
  model: OpenedModel,
  sourceSql: string,
  extraColumn: string | null,
  onBatch: (args: Array<Array<string | null>>, predictions: Array<string | null>, extra: Array<string | null>) => Promise<void> | void,
): Promise<void> {
  const link = context.upstream;
  const fn = model.value;
  const inputs = fn.parameterNames.map((p, j) => featureSelectExpression(quoteIdent(p), fn.parameterTypes[j]));
  const select = extraColumn ? [...inputs, `${quoteIdent(extraColumn)}::text`] : inputs;
  await inOwnTransaction(link, async () => {
    await link.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR SELECT ${select.join(', ')} FROM (${sourceSql}) AS scored_data`);
    for (;;) {
      throwIfCanceled(context.signal);
      const batch = await link.query(`FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`);
      if (batch.rows.length > 0) {
        const args = inputs.map((_, j) => batch.rows.map((r) => r[j]));
        const predictions = await predictBatch(model.runner, fn, model.classes, args, batch.rows.length, model.resolved.ioPlan);
        await onBatch(args, predictions, extraColumn ? batch.rows.map((r) => r[inputs.length]) : []);
      }
      if (batch.rows.length < BATCH_ROWS) break;
    }
    await link.query(`CLOSE ${CURSOR}`);
  });
}
