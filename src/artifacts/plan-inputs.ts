import type { InputElementType, IoPlan } from './io-plan.ts';
import { type ModelValue, describeValue, describeValues } from './model-value.ts';
import { refuse } from './refusal.ts';
import { type SqlTypeKind, sqlTypeKind } from './sql-type-kind.ts';

export type InputPlan = DistributiveOmit<IoPlan, 'output'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Which ONNX element types each kind of parameter can be fed to without losing its meaning. */
const ACCEPTS: Record<Exclude<SqlTypeKind, 'json'>, InputElementType[]> = {
  integer: ['float32', 'float64', 'int64', 'int32'],
  // A fraction cannot go into an integer input; the user casts in SQL if truncation is wanted.
  float: ['float32', 'float64'],
  epoch: ['float32', 'float64'],
  bool: ['bool', 'float32', 'float64', 'int64', 'int32'],
  text: ['string'],
};

const FEEDABLE: InputElementType[] = ['float32', 'float64', 'int64', 'int32', 'string', 'bool'];

/**
 * Matches the model's inputs to FUNCTION f(parameterTypes): one input per parameter in order, or
 * one float tensor [N, k]. When both could apply (one parameter, one [N, 1] input) they feed the
 * same tensor, so per-parameter is tried first.
 */
export function planInputs(inputs: ModelValue[], parameterTypes: string[]): InputPlan {
  const kinds = parameterKinds(parameterTypes);
  const k = kinds.length;
  // One input wider than a column is a matrix even when one parameter is declared: say its width.
  const matrix = inputs.length === 1 && inputs[0].shape?.length === 2 && inputs[0].shape[1] !== null && inputs[0].shape[1] !== 1;
  if (inputs.length === k && !matrix) return perParameter(inputs, parameterTypes, kinds);
  if (inputs.length === 1) return singleTensor(inputs[0], parameterTypes, kinds);
  throw refuse(
    `the ONNX model takes ${inputs.length} inputs (${describeValues(inputs)}), but the FUNCTION declares ${plural(k, 'parameter')}`,
    `Declare one parameter per model input, in the model's order, or give the model one float input of shape [N, ${k}].`,
  );
}

function parameterKinds(parameterTypes: string[]): Array<Exclude<SqlTypeKind, 'json'>> {
  if (parameterTypes.length === 0) throw refuse('the FUNCTION of an imported model needs at least one parameter');
  return parameterTypes.map((type, j) => {
    const kind = sqlTypeKind(type);
    if (kind === undefined || kind === 'json') {
      throw refuse(
        `parameter ${j + 1} of the FUNCTION has type ${type}, which cannot be fed to an ONNX model`,
        'Use a number, bool, text or date/time type.',
      );
    }
    return kind;
  });
}

function perParameter(inputs: ModelValue[], parameterTypes: string[], kinds: Array<Exclude<SqlTypeKind, 'json'>>): InputPlan {
  const inputTypes = inputs.map((input, j) => {
    if (input.kind !== 'tensor') throw refuse(`the ONNX input ${describeValue(input)} is not a tensor, which modelgres cannot feed`);
    checkBatchShape(input, 1);
    const type = input.type as InputElementType;
    if (!FEEDABLE.includes(type)) {
      throw refuse(
        `the ONNX input ${describeValue(input)} takes ${input.type}, which modelgres cannot feed`,
        `Export the model with ${FEEDABLE.join(', ')} inputs.`,
      );
    }
    if (!ACCEPTS[kinds[j]].includes(type)) {
      throw refuse(
        `parameter ${j + 1} of the FUNCTION is ${parameterTypes[j]}, but the ONNX input ${describeValue(input)} in that place takes ${input.type}`,
        `Declare parameter ${j + 1} with a type that fits ${input.type}${hintFor(input.type)}, or check the order of the parameters.`,
      );
    }
    return type;
  });
  return { inputs: 'per-parameter', inputNames: inputs.map((i) => i.name), inputTypes };
}

function singleTensor(input: ModelValue, parameterTypes: string[], kinds: Array<Exclude<SqlTypeKind, 'json'>>): InputPlan {
  const k = kinds.length;
  if (input.kind !== 'tensor') throw refuse(`the ONNX input ${describeValue(input)} is not a tensor, which modelgres cannot feed`);
  if (input.shape === null || input.shape.length !== 2) {
    throw refuse(
      `the ONNX model takes 1 input, ${describeValue(input)}, but the FUNCTION declares ${plural(k, 'parameter')}`,
      `Give the model one float input of shape [N, ${k}], or one input per parameter.`,
    );
  }
  const width = input.shape[1];
  if (width !== null && width !== k) {
    throw refuse(
      `the ONNX model takes 1 input of width ${width}, but the FUNCTION declares ${plural(k, 'parameter')}`,
      `Declare ${plural(width, 'parameter')}, one per column of ${input.name}, in column order.`,
    );
  }
  checkBatchShape(input, k);
  if (input.type !== 'float32' && input.type !== 'float64') {
    throw refuse(
      `the ONNX model's one input ${describeValue(input)} is not a float tensor, so it cannot take ${plural(k, 'parameter')} as columns`,
      'Give the model a float32 or float64 input of shape [N, k], or one input per parameter.',
    );
  }
  const text = kinds.findIndex((kind) => kind === 'text');
  if (text >= 0) {
    throw refuse(
      `parameter ${text + 1} of the FUNCTION is ${parameterTypes[text]}, but the model's one input ${describeValue(input)} takes numbers only`,
      'Give the model one input per parameter, with a string input for the text.',
    );
  }
  return { inputs: 'single-tensor', inputName: input.name, inputType: input.type, width: k };
}

/**
 * modelgres feeds [rows, width]: the batch dimension must be free to vary, and a per-parameter
 * input must be a column [N, 1] (or of undeclared shape).
 */
function checkBatchShape(input: ModelValue, width: number): void {
  if (input.shape === null) return;
  if (input.shape.length !== 2 || (input.shape[1] !== null && input.shape[1] !== width)) {
    throw refuse(
      `the ONNX input ${describeValue(input)} is not a column of shape [N, ${width}], which is how modelgres feeds ${width === 1 ? 'a parameter' : 'the parameters'}`,
      width === 1 ? 'Export the model with inputs of shape [N, 1] (e.g. skl2onnx FloatTensorType([None, 1])).' : undefined,
    );
  }
  if (input.shape[0] !== null) {
    throw refuse(
      `the ONNX input ${describeValue(input)} has a fixed batch size of ${input.shape[0]}, but modelgres feeds many rows at once`,
      'Export the model with a dynamic first dimension (None in skl2onnx, dynamic_axes in torch.onnx.export).',
    );
  }
}

function hintFor(type: string): string {
  if (type === 'string') return ' (text, varchar)';
  if (type === 'int64' || type === 'int32') return ' (int2, int4, int8, bool)';
  if (type === 'bool') return ' (bool)';
  if (type === 'float32' || type === 'float64') return ' (a number, bool, or date/time type)';
  return '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
