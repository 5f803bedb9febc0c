import ort from 'onnxruntime-node';
import { refuse } from './refusal.ts';

/**
 * Opens the bytes in onnxruntime with the options the proxy's session cache uses, so a model
 * accepted here is one the proxy can run. onnxruntime's own reason is passed on: it names the
 * operator it lacks, or says the bytes are not a model at all.
 */
export async function loadSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  // onnxruntime answers an empty buffer with "Model data pointer is null", which helps nobody.
  if (bytes.length === 0) throw refuse('the ONNX file is empty', 'Give the path of an ONNX model file.');
  try {
    return await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw refuse(
      `onnxruntime cannot load the ONNX model: ${reason}`,
      'Check that the file is an ONNX model (not another format) that uses only operators onnxruntime 1.30 supports.',
    );
  }
}
