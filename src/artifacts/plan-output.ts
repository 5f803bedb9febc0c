import { classLabelsOf } from './class-labels.ts';
import type { OutputPlan } from './io-plan.ts';
import { type ModelValue, describeValues, isColumn } from './model-value.ts';
import type { GraphProto } from './onnx-graph.ts';
import { refuse } from './refusal.ts';
import { type SqlTypeKind, sqlTypeKind } from './sql-type-kind.ts';

type ReturnKind = Exclude<SqlTypeKind, 'epoch'>;

/** Element types a value output may have for each kind of return type, in order of preference. */
const VALUE_TYPES: Record<ReturnKind, string[]> = {
  float: ['float32', 'float64', 'int64', 'int32'],
  // A float is not silently rounded into an integer: the user declares float8 and rounds in SQL.
  integer: ['int64', 'int32'],
  bool: ['bool', 'int64', 'int32'],
  text: ['string', 'int64', 'int32', 'float32', 'float64', 'bool'],
  json: ['string', 'int64', 'int32', 'float32', 'float64', 'bool'],
};

/** Label types each kind of return type can take. */
const LABEL_TYPES: Record<ReturnKind, string[]> = {
  float: ['int64', 'float32'],
  integer: ['int64', 'float32'],
  bool: ['int64', 'float32'],
  text: ['int64', 'float32', 'string'],
  json: ['int64', 'float32', 'string'],
};

/**
 * Picks the output RETURNS returnType reads. A classifier (a label column next to a probability
 * matrix or a ZipMap) gives its label; otherwise a column output of the type the return type
 * takes best (a bool output for bool, an integer for int4, ...), the first in graph order.
 */
export function planOutput(outputs: ModelValue[], graph: GraphProto, returnType: string): OutputPlan {
  const kind = returnKind(returnType);
  const classifier = findClassifier(outputs);
  if (classifier) {
    const { label, probabilities } = classifier;
    if (!LABEL_TYPES[kind].includes(label.type)) {
      throw refuse(
        `the ONNX model is a classifier whose label ${label.name} is ${label.type}, which RETURNS ${returnType} cannot take`,
        label.type === 'string' ? 'Declare RETURNS varchar (or text).' : undefined,
      );
    }
    const labelType = label.type as 'int64' | 'string' | 'float32';
    if (probabilities?.kind !== 'tensor') {
      if (kind === 'json') throw noProbabilities(returnType);
      return { kind: 'label', labelName: label.name, labelType };
    }
    const columns = probabilities.shape?.[1] ?? null;
    const classLabels = classLabelsOf(graph, labelType, columns);
    return {
      kind: 'label',
      labelName: label.name,
      labelType,
      probabilitiesName: probabilities.name,
      probabilitiesKind: 'tensor',
      ...(classLabels ? { classLabels } : {}),
    };
  }
  const columns = outputs.filter((o) => o.kind === 'tensor' && isColumn(o));
  const value = VALUE_TYPES[kind].map((type) => columns.find((o) => o.type === type)).find((o) => o !== undefined);
  if (!value) {
    throw refuse(
      `the ONNX model has no output RETURNS ${returnType} can take (one ${VALUE_TYPES[kind].join(' or ')} value per row, shape [N] or [N, 1]); its outputs are ${describeValues(outputs)}`,
      kind === 'integer' || kind === 'bool' ? 'For a model giving float values, declare RETURNS float8.' : undefined,
    );
  }
  return { kind: 'value', name: value.name };
}

function returnKind(returnType: string): ReturnKind {
  const kind = sqlTypeKind(returnType);
  if (kind === undefined || kind === 'epoch') {
    throw refuse(`an imported model cannot return ${returnType}`, 'Declare RETURNS float8, numeric, an integer type, bool, or text.');
  }
  return kind;
}

/** skl2onnx style: a label column, and probabilities as an [N, C] float tensor or a sequence of maps. */
function findClassifier(outputs: ModelValue[]): { label: ModelValue; probabilities?: ModelValue } | undefined {
  const labels = outputs.filter(
    (o) => o.kind === 'tensor' && isColumn(o) && (o.type === 'int64' || o.type === 'string' || (o.type === 'float32' && /label/i.test(o.name))),
  );
  const matrices = outputs.filter(
    (o) =>
      (o.kind === 'tensor' && (o.type === 'float32' || o.type === 'float64') && o.shape?.length === 2 && o.shape[1] !== 1) ||
      o.kind === 'sequence-map',
  );
  if (labels.length === 0 || matrices.length === 0) return undefined;
  const label = labels.find((o) => /label/i.test(o.name)) ?? labels[0];
  // A tensor is preferred: onnxruntime-node cannot hand back a sequence of maps.
  const probabilities = matrices.find((o) => o.kind === 'tensor' && /prob/i.test(o.name)) ?? matrices.find((o) => o.kind === 'tensor') ?? matrices[0];
  return { label, probabilities };
}

function noProbabilities(returnType: string) {
  return refuse(
    `the ONNX model gives no probability tensor for RETURNS ${returnType}: its probabilities, if any, are a sequence of maps, which onnxruntime-node cannot return`,
    "Export the classifier without ZipMap (skl2onnx: options={id(model): {'zipmap': False}}).",
  );
}
