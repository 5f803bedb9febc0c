import onnxProto from 'onnx-proto';
import { Unsupported } from './compile-target.ts';
import type { Elem, Tensor } from './symbolic-tensor.ts';

type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
const { DataType } = onnxProto.onnx.TensorProto;
const utf8 = new TextDecoder();

/** The graph as the compiler reads it: nodes by the tensor they make, constants, inputs, outputs. */
export interface OnnxGraph {
  producers: Map<string, Node>;
  constants: Map<string, Tensor>;
  inputNames: string[];
  outputNames: string[];
  metadata: Map<string, string>;
}

/** A node with typed attribute accessors. */
export class Node {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: string[];
  readonly outputs: string[];
  private readonly attrs: Map<string, onnxProto.onnx.IAttributeProto>;
  /**
   * Attribute lists as numbers or text, converted once: a tree ensemble's dozen lists of some
   * 10,000 entries each are read by every evaluation of the graph (compile-model-function.ts
   * evaluates it up to four ways). Callers must not change them.
   */
  private readonly lists = new Map<string, readonly unknown[]>();

  constructor(proto: NodeProto) {
    this.opType = proto.opType ?? '';
    this.domain = proto.domain === 'ai.onnx' ? '' : proto.domain ?? '';
    this.inputs = proto.input ?? [];
    this.outputs = proto.output ?? [];
    this.attrs = new Map((proto.attribute ?? []).map((a) => [a.name ?? '', a]));
  }

  /** 'Add', or 'ai.onnx.ml.LabelEncoder' outside the default domain. */
  get key(): string {
    return this.domain === '' ? this.opType : `${this.domain}.${this.opType}`;
  }

  has(name: string): boolean {
    return this.attrs.has(name);
  }

  int(name: string, fallback?: number): number {
    const a = this.attrs.get(name);
    if (a?.i !== undefined && a.i !== null) return toNumber(a.i);
    return this.required(name, fallback);
  }

  float(name: string, fallback?: number): number {
    const a = this.attrs.get(name);
    if (a?.f !== undefined && a.f !== null) return a.f;
    return this.required(name, fallback);
  }

  string(name: string, fallback?: string): string {
    const a = this.attrs.get(name);
    if (a?.s) return utf8.decode(a.s);
    return this.required(name, fallback);
  }

  ints(name: string, fallback?: number[]): readonly number[] {
    const a = this.attrs.get(name);
    if (a?.ints && a.ints.length > 0) return this.list(`i:${name}`, () => a.ints!.map(toNumber));
    return this.required(name, fallback);
  }

  floats(name: string, fallback?: number[]): readonly number[] {
    const a = this.attrs.get(name);
    if (a?.floats && a.floats.length > 0) return this.list(`f:${name}`, () => a.floats!.map(Math.fround));
    return this.required(name, fallback);
  }

  strings(name: string, fallback?: string[]): readonly string[] {
    const a = this.attrs.get(name);
    if (a?.strings && a.strings.length > 0) return this.list(`s:${name}`, () => a.strings!.map((s) => utf8.decode(s)));
    return this.required(name, fallback);
  }

  private list<T>(key: string, convert: () => T[]): readonly T[] {
    let values = this.lists.get(key);
    if (values === undefined) {
      values = convert();
      this.lists.set(key, values);
    }
    return values as readonly T[];
  }

  tensor(name: string): Tensor | undefined {
    const t = this.attrs.get(name)?.t;
    return t ? constantOf(t) : undefined;
  }

  private required<T>(name: string, fallback: T | undefined): T {
    if (fallback === undefined) throw new Unsupported(`the ONNX operator ${this.opType} without its attribute ${name}`);
    return fallback;
  }
}

export function readGraph(bytes: Uint8Array): OnnxGraph {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const graph = model.graph ?? {};
  const producers = new Map<string, Node>();
  for (const proto of graph.node ?? []) {
    const node = new Node(proto);
    for (const out of node.outputs) if (out !== '') producers.set(out, node);
  }
  const constants = new Map<string, Tensor>();
  for (const init of graph.initializer ?? []) constants.set(init.name ?? '', constantOf(init));
  return {
    producers,
    constants,
    // An initializer listed as an input (older exporters) is a constant, not a feed.
    inputNames: (graph.input ?? []).map((v) => v.name ?? '').filter((n) => !constants.has(n)),
    outputNames: (graph.output ?? []).map((v) => v.name ?? ''),
    metadata: new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? ''])),
  };
}

const ELEMS: Record<number, Elem> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32',
  [DataType.BOOL]: 'bool', [DataType.STRING]: 'string',
};

/** An initializer's values, from raw_data (little-endian, by the ONNX spec) or the typed fields. */
export function constantOf(t: TensorProto): Tensor {
  const elem = ELEMS[t.dataType ?? 0];
  if (elem === undefined) throw new Unsupported(`a constant of ONNX data type ${t.dataType}`);
  const dims = (t.dims ?? []).map(toNumber);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  let values: Array<number | string | boolean>;
  if (elem === 'string') values = (t.stringData ?? []).map((s) => utf8.decode(s));
  else if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 }[elem];
    values = Array.from({ length: raw.byteLength / size }, (_, i) => {
      const at = i * size;
      switch (elem) {
        case 'float32': return view.getFloat32(at, true);
        case 'float64': return view.getFloat64(at, true);
        case 'int64': return Number(view.getBigInt64(at, true));
        case 'int32': return view.getInt32(at, true);
        default: return view.getUint8(at) !== 0;
      }
    });
  } else if (elem === 'float32') values = (t.floatData ?? []).map(Math.fround);
  else if (elem === 'float64') values = t.doubleData ?? [];
  else if (elem === 'int64') values = (t.int64Data ?? []).map(toNumber);
  else if (elem === 'bool') values = (t.int32Data ?? []).map((v) => v !== 0);
  else values = t.int32Data ?? [];
  return { kind: 'const', elem, dims, values };
}

/**
 * protobufjs gives int64 as a number, or as a Long when the long package is around. A Long's two
 * halves make the number directly (high × 2^32 is exact, so one rounding, as parsing its decimal
 * text would give); its text was a third of compiling a tree ensemble.
 */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
    const { low, high, unsigned } = v as { low: number; high: number; unsigned?: boolean };
    return (unsigned ? high >>> 0 : high) * 4294967296 + (low >>> 0);
  }
  return Number(String(v));
}
