import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { inOwnTransaction } from '../session/own-transaction.ts';
import { BATCH_ROWS, throwIfCanceled } from '../inference/inference-deps.ts';
import type { ModelFunction } from '../inference/model-function-registry.ts';
import type { ModelRunner, OnnxSessionCache } from '../inference/onnx-session-cache.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type ort from 'onnxruntime-node';
import { indexLeadingColumns, textColumn, type LeadingColumns } from '../inference/feature-decoding.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import { predictBatch, runTrainedModel, takesFloat32, takesFloat64, type ArgumentColumn, type ClassValue } from '../inference/predict-batch.ts';
import { argumentColumn } from '../inference/opened-calls.ts';
import { readsBinary } from '../inference/binary-feature-decoding.ts';
import { openVersion, resolveModelVersion, type ResolvedVersion } from '../inference/resolve-model-version.ts';
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
  const runner = await openVersion(sessions, resolved);
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
 * gets the model's inputs column-major, its predictions, and the extra column's values. Between
 * batches the session is free, so `onBatch` may write on it (an inference schedule's COPY);
 * work that only reads the predictions goes faster with streamScores.
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

/** One batch of a scored source. */
export interface ScoredBatch {
  rows: number;
  /** Each row's result as PostgreSQL text, as the model function returns it; null when `values` holds them. */
  predictions: Array<string | null> | null;
  /**
   * With `numbers` asked for, a trained regression's predictions as onnxruntime gave them (the
   * text above is `String` of each, so `Number` of it is the same value); else null.
   */
  values: Float32Array | null;
  /** The extra column's text for each row ([] without one). */
  extra: Array<string | null>;
  /**
   * With `probabilities` asked for, a classifier's probability of class k for row i at
   * `[i * classes + k]` (classes in the model's order), as onnxruntime gave them; else null.
   */
  probabilities: Float32Array | null;
  /** The batch's columns as PostgreSQL sent them: the model's inputs (inputColumnOf), then the extra column. */
  columns: LeadingColumns;
  fields: readonly FieldDescription[];
}

/** The column of ScoredBatch.columns holding the model's input `name` read as `type`, or -1. */
export function inputColumnOf(model: OpenedModel, name: string, type: string): number {
  const j = model.value.parameterNames.indexOf(name);
  return j >= 0 && model.value.parameterTypes[j] === type ? j : -1;
}

/**
 * Predicts every row of a source, read as the caller in one streamed statement (no cursor):
 * batches are predicted while PostgreSQL goes on sending, and the link stops reading while a
 * batch waits behind the one before it, so memory stays flat whatever the number of rows.
 * `onBatch` must not keep the batch.
 */
export async function streamScores(
  context: StatementContext,
  model: OpenedModel,
  sourceSql: string,
  extraColumn: string | null,
  options: { probabilities: boolean; numbers?: boolean },
  onBatch: (batch: ScoredBatch) => Promise<void> | void,
): Promise<void> {
  const fn = model.value;
  const inputs = fn.parameterNames.map((p, j) => featureSelectExpression(quoteIdent(p), fn.parameterTypes[j]));
  const select = extraColumn ? [...inputs, `${quoteIdent(extraColumn)}::text`] : inputs;
  const columns = select.length;
  // onnxruntime here on a trained model's tensors (not an imported model's plan, nor an endpoint's text).
  const local = model.resolved.ioPlan === null && !model.runner.remote;
  // A trained model's numbers, bools, dates and times come in binary, as a model call's do.
  const formats = [...inputs.map((_, j) => (local && readsBinary(fn.parameterTypes[j]) ? 1 : 0)), ...(extraColumn ? [0] : [])];
  const classes = model.classes;
  const wanted = options.probabilities && classes !== null;
  // A trained classifier's probabilities come with its labels, from the same run; an imported
  // one's from a run of their own, as the JSON its _probabilities function returns.
  const outputs = new OutputsOf(model.runner);
  // (A model hosted on inference units answers text: its probabilities come as JSON too.)
  const runner = wanted && local ? outputs : model.runner;
  // A trained regression's outputs, read as numbers without a detour through their text.
  const numbers = options.numbers === true && local && model.problemType === 'REGRESSION' && classes === null;
  const statement = { sql: `SELECT ${select.join(', ')} FROM (${sourceSql}) AS scored_data`, resultFormats: formats };
  await context.upstream.stream([statement], BATCH_ROWS, async (batch) => {
    throwIfCanceled(context.signal);
    const rows = batch.rows.length;
    const index = indexLeadingColumns(batch.rows, columns);
    const args: ArgumentColumn[] = inputs.map((_, j) =>
      local ? argumentColumn(index, j, batch.fields[j], takesFloat32(fn, null, j), takesFloat64(fn, null, j)) : textColumn(index, j),
    );
    const values = numbers ? ((await runTrainedModel(model.runner, fn, args, rows)).variable.data as Float32Array) : null;
    const predictions = values ? null : await predictBatch(runner, fn, model.classes, args, rows, model.resolved.ioPlan);
    let probabilities: Float32Array | null = null;
    if (runner === outputs) {
      probabilities = outputs.take()!.probabilities.data as Float32Array;
    } else if (wanted) {
      const json = await predictBatch(model.runner, model.probabilities, classes, args, rows, model.resolved.ioPlan);
      probabilities = probabilitiesOfJson(json, classes);
    }
    await onBatch({ rows, predictions, values, extra: extraColumn ? textColumn(index, inputs.length) : [], probabilities, columns: index, fields: batch.fields });
  });
}

/** A model's runner that keeps onnxruntime's outputs of its last run, all of them. */
class OutputsOf implements ModelRunner {
  private last: Record<string, ort.Tensor> | null = null;
  readonly runParts?: ModelRunner['runParts'];

  constructor(private readonly runner: ModelRunner) {
    if (runner.runParts) {
      this.runParts = async (rows, feedsOf) => (this.last = await runner.runParts!(rows, feedsOf));
    }
  }

  /** The outputs of the last run, forgotten here. */
  take(): Record<string, ort.Tensor> | null {
    const last = this.last;
    this.last = null;
    return last;
  }

  get inputNames(): readonly string[] {
    return this.runner.inputNames;
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    this.last = await this.runner.run(feeds);
    return this.last;
  }
}

/** The _probabilities function's JSON ({labels, probabilities}, most likely first) in class order. */
function probabilitiesOfJson(json: ReadonlyArray<string | null>, classes: readonly ClassValue[]): Float32Array {
  const out = new Float32Array(json.length * classes.length);
  json.forEach((text, i) => {
    if (text === null) return;
    const parsed = JSON.parse(text) as { labels: ClassValue[]; probabilities: number[] };
    parsed.labels.forEach((label, j) => {
      const k = classes.indexOf(label);
      if (k >= 0) out[i * classes.length + k] = parsed.probabilities[j];
    });
  });
  return out;
}
