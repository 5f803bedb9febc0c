import type { Tensor } from 'onnxruntime-node';
import { formatResult, type OutputValue } from './format-result.ts';
import type { IoPlan } from './io-plan.ts';
import { probabilitiesJson } from './probabilities-json.ts';
import { refuse } from './refusal.ts';
import { sqlTypeKind } from './sql-type-kind.ts';

/**
 * One batch's answers as PostgreSQL text of `returnType`. A json/jsonb return type asks a
 * classifier for its probabilities ({"labels":[...],"probabilities":[...]}, most likely first);
 * any other gives the label or value.
 */
export function readOutputs(plan: IoPlan, outputs: Record<string, Tensor>, rows: number, returnType: string): Array<string | null> {
  const output = plan.output;
  const wantsJson = sqlTypeKind(returnType) === 'json';
  if (output.kind === 'label' && wantsJson) {
    if (!output.probabilitiesName || output.probabilitiesKind !== 'tensor') {
      throw refuse('this model gives no probabilities that modelgres can read', 'Export the classifier with a probability tensor (skl2onnx: zipmap False).');
    }
    const probabilities = tensorOf(outputs, output.probabilitiesName, rows, false);
    return Array.from({ length: rows }, (_, i) => probabilitiesJson(probabilities, i, output.classLabels));
  }
  const tensor = tensorOf(outputs, output.kind === 'label' ? output.labelName : output.name, rows, true);
  const values = valuesOf(tensor);
  const fromFloat32 = tensor.type === 'float32';
  return Array.from({ length: rows }, (_, i) => formatResult(values[i], returnType, fromFloat32));
}

/** The outputs come from session.run; a missing or short one is a bug of the caller, not the user's. */
function tensorOf(outputs: Record<string, Tensor>, name: string, rows: number, column: boolean): Tensor {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`onnxruntime gave no output ${name}; run the session with fetches outputNamesOf(plan)`);
  // An output planned from an undeclared shape may turn out to be wider than one value per row.
  if (tensor.dims[0] !== rows || (column && tensor.size !== rows)) {
    throw new Error(`output ${name} has shape [${tensor.dims.join(', ')}], expected ${column ? `${rows} values` : `${rows} rows`}`);
  }
  return tensor;
}

function valuesOf(tensor: Tensor): ArrayLike<OutputValue> {
  // onnxruntime-node gives bools as bytes; the rest are typed arrays or string[].
  if (tensor.type === 'bool') return Array.from(tensor.data as Uint8Array, (b) => b !== 0);
  return tensor.data as ArrayLike<OutputValue>;
}
