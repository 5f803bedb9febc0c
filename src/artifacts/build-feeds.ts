import ort from 'onnxruntime-node';
import type { InputElementType, IoPlan } from './io-plan.ts';
import { outOfRange } from './out-of-range.ts';
import { parseBoolArg, parseFloatArg, parseIntArg } from './parse-arg.ts';

/**
 * The feeds of one batch. `args[j][i]` is the PostgreSQL text of parameter j in row i, null for
 * NULL. NULL becomes NaN in a float input (the usual "missing" of ONNX models), and 0, false or
 * '' in an int, bool or string input, which have no missing value (documented in
 * imported-models.md).
 */
export function buildFeeds(plan: IoPlan, args: Array<Array<string | null>>, rows: number): Record<string, ort.Tensor> {
  if (plan.inputs === 'single-tensor') {
    const { inputName, inputType, width } = plan;
    // Row-major [rows, width]: row i's parameters are adjacent.
    const data = inputType === 'float64' ? new Float64Array(rows * width) : new Float32Array(rows * width);
    for (let j = 0; j < width; j++) {
      for (let i = 0; i < rows; i++) data[i * width + j] = parseFloatArg(args[j][i], inputName);
    }
    return { [inputName]: new ort.Tensor(inputType, data, [rows, width]) };
  }
  const feeds: Record<string, ort.Tensor> = {};
  plan.inputNames.forEach((name, j) => {
    feeds[name] = column(plan.inputTypes[j], name, args[j], rows);
  });
  return feeds;
}

function column(type: InputElementType, name: string, values: Array<string | null>, rows: number): ort.Tensor {
  const dims = [rows, 1];
  switch (type) {
    case 'float32':
    case 'float64': {
      const data = type === 'float64' ? new Float64Array(rows) : new Float32Array(rows);
      for (let i = 0; i < rows; i++) data[i] = parseFloatArg(values[i], name);
      return new ort.Tensor(type, data, dims);
    }
    case 'int64': {
      const data = new BigInt64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = parseIntArg(values[i], name);
        if (BigInt.asIntN(64, v) !== v) throw outOfRange(`${v} is out of range for ONNX input ${name}, an int64`);
        data[i] = v;
      }
      return new ort.Tensor('int64', data, dims);
    }
    case 'int32': {
      const data = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = parseIntArg(values[i], name);
        if (v < -2147483648n || v > 2147483647n) throw outOfRange(`${v} is out of range for ONNX input ${name}, an int32`);
        data[i] = Number(v);
      }
      return new ort.Tensor('int32', data, dims);
    }
    case 'bool': {
      // onnxruntime-node takes bools as one byte each.
      const data = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) data[i] = parseBoolArg(values[i], name) ? 1 : 0;
      return new ort.Tensor('bool', data, dims);
    }
    case 'string':
      return new ort.Tensor('string', Array.from({ length: rows }, (_, i) => values[i] ?? ''), dims);
  }
}
