import ort from 'onnxruntime-node';
import { inputKindOf } from '../training/index.ts';
import type { FeatureType } from '../training/types.ts';
import type { ModelFunction } from './model-function-registry.ts';
import type { ModelRunner } from './onnx-session-cache.ts';
import { buildFeeds, outputNamesOf, readOutputs, type IoPlan } from '../artifacts/index.ts';
import { float8Text } from '../protocol/float8-text.ts';

export type ClassValue = string | number | boolean;

/**
 * One call's results for a batch: PostgreSQL text per row (null for NULL), or a trained
 * regression's predictions as onnxruntime gave them, float32 values of a float8 result that the
 * rows' writer puts as text (writeFloat8Text) or binary straight into its buffer: a string per
 * row cost a fifth of the proxy's JavaScript in a scoring query.
 */
export type PredictionColumn = Array<string | null> | Float32Array;

/**
 * One argument column: the text of each row (null for NULL), or, for an argument a trained model
 * takes as a float32 or float64 input, a function giving rows [from, to) as the typed array
 * predictBatch would make of their text (feature-decoding.ts from text, binary-feature-decoding.ts
 * from binary): a large batch is decoded part by part, each part while the one before it is
 * predicted.
 */
export type ArgumentColumn = Array<string | null> | DecodedColumn;
export type DecodedColumn = (from: number, to: number) => Float32Array | Float64Array;

/**
 * Predicts one batch. `args[j][i]` is the text PostgreSQL gave for argument j of row i (already
 * turned into model inputs by featureSelectExpression). Returns each row's result as PostgreSQL
 * text for the function's return type. A trained model's float32 input may come decoded already.
 */
export async function predictBatch(
  session: ModelRunner,
  fn: ModelFunction,
  classes: ClassValue[] | null,
  args: ArgumentColumn[],
  rows: number,
  ioPlan: IoPlan | null = null,
  /** The statement's; a remote model's requests in flight are aborted when it is cancelled. */
  signal?: AbortSignal,
): Promise<Array<string | null>> {
  return textOfPredictions(await predictColumn(session, fn, classes, args, rows, ioPlan, signal));
}

/** As predictBatch, with a trained regression's predictions left as numbers (PredictionColumn). */
export async function predictColumn(
  session: ModelRunner,
  fn: ModelFunction,
  classes: ClassValue[] | null,
  args: ArgumentColumn[],
  rows: number,
  ioPlan: IoPlan | null = null,
  signal?: AbortSignal,
): Promise<PredictionColumn> {
  if (session.remote) return session.remote.predict(args.map(textOf), rows, fn.returnType, signal);
  if (ioPlan) {
    // An imported model: fed and read as its plan, made when it was imported, says.
    const out = await session.run(buildFeeds(ioPlan, args.map(textOf), rows), outputNamesOf(ioPlan));
    return readOutputs(ioPlan, out, rows, fn.returnType);
  }
  const out = await runTrainedModel(session, fn, args, rows);
  const results: Array<string | null> = new Array(rows);
  if (fn.problemType === 'CLUSTERING') {
    // KMEANS: the cluster id, from 0.
    const labels = out.label.data as BigInt64Array;
    for (let i = 0; i < rows; i++) results[i] = labels[i].toString();
    return results;
  }
  // A regression's function returns float8 (returnTypeOf).
  if (fn.problemType === 'REGRESSION' || !classes) return out.variable.data as Float32Array;
  const labels = out.label.data as BigInt64Array;
  const probabilities = out.probabilities.data as Float32Array;
  const c = classes.length;
  for (let i = 0; i < rows; i++) {
    if (fn.output === 'value') {
      results[i] = formatClass(classes[Number(labels[i])], fn.returnType);
    } else {
      const order = classes.map((_, k) => k).sort((a, b) => probabilities[i * c + b] - probabilities[i * c + a]);
      results[i] = JSON.stringify({
        labels: order.map((k) => classes[k]),
        probabilities: order.map((k) => Number(probabilities[i * c + k].toPrecision(7))),
      });
    }
  }
  return results;
}

/** onnxruntime's outputs for one batch of a trained model (not an imported or remote one), unformatted. */
export async function runTrainedModel(session: ModelRunner, fn: ModelFunction, args: ArgumentColumn[], rows: number): Promise<Record<string, ort.Tensor>> {
  const feedsOf = (from: number, to: number) => {
    const feeds: Record<string, ort.Tensor> = {};
    // Inputs are positional: the graph renames a feature whose name clashes with an output.
    session.inputNames.forEach((name, j) => {
      feeds[name] = inputTensor(fn.parameterTypes[j] as FeatureType, args[j], from, to);
    });
    return feeds;
  };
  // A trained model's inputs and outputs are row by row: a large batch may be cut into parts.
  return session.runParts ? session.runParts(rows, feedsOf) : session.run(feedsOf(0, rows));
}

/** Whether predictBatch takes argument `j` of `fn` decoded to a Float32Array (a trained model's float32 input). */
export function takesFloat32(fn: ModelFunction, ioPlan: IoPlan | null, j: number): boolean {
  return ioPlan === null && inputKindOf(fn.parameterTypes[j] as FeatureType) === 'float32';
}

/** Whether predictBatch takes argument `j` of `fn` decoded to a Float64Array (a trained model's float64 input). */
export function takesFloat64(fn: ModelFunction, ioPlan: IoPlan | null, j: number): boolean {
  return ioPlan === null && inputKindOf(fn.parameterTypes[j] as FeatureType) === 'float64';
}

function textOf(column: ArgumentColumn): Array<string | null> {
  if (typeof column !== 'function') return column;
  throw new Error('an imported or remote model takes its arguments as text');
}

/** The input tensor of rows [from, to). */
function inputTensor(type: FeatureType, column: ArgumentColumn, from: number, to: number): ort.Tensor {
  const kind = inputKindOf(type);
  const rows = to - from;
  if (typeof column === 'function') {
    const data = column(from, to);
    if (kind !== (data instanceof Float32Array ? 'float32' : 'float64')) throw new Error(`a ${type} argument is not a ${kind} input`);
    return data instanceof Float32Array ? new ort.Tensor('float32', data, [rows, 1]) : new ort.Tensor('float64', data, [rows, 1]);
  }
  const values = from === 0 && to === column.length ? column : column.slice(from, to);
  if (kind === 'string') return new ort.Tensor('string', values.map((v) => v ?? ''), [rows, 1]);
  if (kind === 'float64') {
    const data = new Float64Array(rows);
    for (let i = 0; i < rows; i++) data[i] = values[i] === null ? NaN : Number(values[i]);
    return new ort.Tensor('float64', data, [rows, 1]);
  }
  const data = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    data[i] = v === null ? NaN : v === 't' ? 1 : v === 'f' ? 0 : Number(v);
  }
  return new ort.Tensor('float32', data, [rows, 1]);
}

/** Each row's result as PostgreSQL text: a regression's as float8out writes it. */
export function textOfPredictions(column: PredictionColumn): Array<string | null> {
  return column instanceof Float32Array ? Array.from(column, float8Text) : column;
}

function formatClass(value: ClassValue | undefined, type: string): string | null {
  if (value === undefined) return null;
  if (type === 'bool') return value === true || value === 't' || value === 'true' ? 't' : 'f';
  return String(value);
}
