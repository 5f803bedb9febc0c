import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

/**
 * A deliberately plain ONNX writer for the tests, independent of the trainer's GraphBuilder, so
 * the artifact module is checked against models it did not help make (as users' models are).
 */
export type Elem = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool' | 'uint8';
const ELEM: Record<Elem, number> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32,
  string: DataType.STRING, bool: DataType.BOOL, uint8: DataType.UINT8,
};

/** A dimension: a size, a symbolic name ('N'), or null for an unnamed free dimension. */
export type Dim = number | string | null;

export function tensor(name: string, elem: Elem, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ELEM[elem], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } } },
  };
}

/** skl2onnx's ZipMap output type: seq(map(string | int64, float)). */
export function sequenceOfMaps(name: string, key: 'string' | 'int64'): onnxProto.onnx.IValueInfoProto {
  return { name, type: { sequenceType: { elemType: { mapType: { keyType: ELEM[key], valueType: { tensorType: { elemType: DataType.FLOAT } } } } } } };
}

export function floats(name: string, values: number[], dims: number[]): onnxProto.onnx.ITensorProto {
  return { name, dataType: DataType.FLOAT, dims, rawData: new Uint8Array(Float32Array.from(values).buffer) };
}

type Attr = number | string | number[] | string[] | { floats: number[] } | { float: number };

export function node(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}, domain = ''): onnxProto.onnx.INodeProto {
  return { opType, input, output, domain, name: `${opType}_${output[0]}`, attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)) };
}

function attribute(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(v) };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if (!Array.isArray(v)) return { name, type: AttributeType.FLOATS, floats: v.floats };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => utf8.encode(s)) };
  return { name, type: AttributeType.INTS, ints: v as number[] };
}

export interface Graph {
  inputs: onnxProto.onnx.IValueInfoProto[];
  outputs: onnxProto.onnx.IValueInfoProto[];
  nodes: onnxProto.onnx.INodeProto[];
  initializers?: onnxProto.onnx.ITensorProto[];
}

/** IR version 8, default opset 13, ai.onnx.ml opset 3. */
export function modelBytes(graph: Graph): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'modelgres-tests',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 3 }],
    graph: { name: 'test', input: graph.inputs, output: graph.outputs, node: graph.nodes, initializer: graph.initializers ?? [] },
  });
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

export async function tempModelDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'modelgres-artifacts-'));
}

export async function writeModel(dir: string, file: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path.join(dir, file), bytes);
}
