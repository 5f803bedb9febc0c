import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const AttributeType = onnx.AttributeProto.AttributeType;
export const DataType = onnx.TensorProto.DataType;

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] };

export const int = (value: number): AttributeValue => ({ kind: 'int', value });
export const float = (value: number): AttributeValue => ({ kind: 'float', value });
export const str = (value: string): AttributeValue => ({ kind: 'string', value });
export const ints = (value: number[]): AttributeValue => ({ kind: 'ints', value });
export const floats = (value: number[]): AttributeValue => ({ kind: 'floats', value });
export const strs = (value: string[]): AttributeValue => ({ kind: 'strings', value });

export type ElemType = 'float32' | 'float64' | 'string' | 'int64';
const ELEM: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  string: DataType.STRING,
  int64: DataType.INT64,
};

const utf8 = new TextEncoder();

/**
 * Collects nodes, constants and graph inputs/outputs, hands out unique internal tensor names
 * (prefixed 'mg/' so they cannot clash with a column name used as an input), and serialises a
 * ModelProto at IR version 8 with the default domain at opset 13 and ai.onnx.ml at opset 3, the
 * combination onnxruntime-node 1.30 is known to run (FACTS.md).
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  name(hint: string): string {
    return `mg/${hint}_${this.counter++}`;
  }

  input(name: string, type: ElemType, width: number): string {
    this.inputs.push(valueInfo(name, type, [null, width]));
    return name;
  }

  output(name: string, type: ElemType, dims: Array<number | null>): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, opts: { domain?: string; output?: string } = {}): string {
    const out = opts.output ?? this.name(opType.toLowerCase());
    this.nodes.push({
      opType,
      domain: opts.domain ?? '',
      input: inputs,
      output: [out],
      name: this.name(`n_${opType}`),
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return out;
  }

  /** float32 constant; dims default to [values.length]. */
  floats(hint: string, values: ArrayLike<number>, dims: number[] = [values.length]): string {
    const data = Float32Array.from(values);
    return this.constant(hint, DataType.FLOAT, dims, new Uint8Array(data.buffer));
  }

  doubles(hint: string, values: ArrayLike<number>, dims: number[] = [values.length]): string {
    const data = Float64Array.from(values);
    return this.constant(hint, DataType.DOUBLE, dims, new Uint8Array(data.buffer));
  }

  int64s(hint: string, values: number[], dims: number[] = [values.length]): string {
    const name = this.name(hint);
    this.initializers.push({ name, dataType: DataType.INT64, dims, int64Data: values });
    return name;
  }

  private constant(hint: string, dataType: number, dims: number[], raw: Uint8Array): string {
    const name = this.name(hint);
    // rawData is little-endian by the ONNX spec, as typed arrays are on every platform Node runs on.
    this.initializers.push({ name, dataType, dims, rawData: raw });
    return name;
  }

  encode(metadata: Record<string, string>, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'modelgres',
      producerVersion: '1',
      docString,
      opsetImport: [
        { domain: '', version: 13 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      graph: {
        name: 'modelgres',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    // protobufjs hands back a Node Buffer; a plain Uint8Array is what crosses threads unchanged.
    return new Uint8Array(onnx.ModelProto.encode(model).finish());
  }
}

function valueInfo(name: string, type: ElemType, dims: Array<number | null>): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: dims.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttributeValue): onnxProto.onnx.IAttributeProto {
  switch (v.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: v.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: v.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: utf8.encode(v.value) };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: v.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: v.value };
    case 'strings':
      return { name, type: AttributeType.STRINGS, strings: v.value.map((s) => utf8.encode(s)) };
  }
}
