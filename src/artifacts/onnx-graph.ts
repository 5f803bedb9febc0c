import onnxProto from 'onnx-proto';

export type GraphProto = onnxProto.onnx.IGraphProto;

/**
 * The decoded graph, read only after onnxruntime accepted the bytes (so decoding cannot fail on
 * anything onnxruntime would run). onnxruntime's metadata is enough for tensors; the graph tells
 * what it cannot: a scalar from a shape left unknown, a sequence of maps, a classifier's labels.
 */
export function decodeGraph(bytes: Uint8Array): GraphProto {
  return onnxProto.onnx.ModelProto.decode(bytes).graph ?? {};
}
