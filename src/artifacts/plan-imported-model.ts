import type { IoPlan } from './io-plan.ts';
import { loadSession } from './load-session.ts';
import { modelValues } from './model-value.ts';
import { decodeGraph } from './onnx-graph.ts';
import { planInputs } from './plan-inputs.ts';
import { planOutput } from './plan-output.ts';

/**
 * Checks that onnxruntime runs the bytes and that the model fits FUNCTION f(parameterTypes)
 * RETURNS returnType; returns how to feed it and read it. Throws ClientError 22023 otherwise.
 */
export async function planImportedModel(bytes: Uint8Array, parameterTypes: string[], returnType: string): Promise<IoPlan> {
  const session = await loadSession(bytes);
  try {
    const graph = decodeGraph(bytes);
    const inputs = planInputs(modelValues(session.inputMetadata, graph, 'input'), parameterTypes);
    const output = planOutput(modelValues(session.outputMetadata, graph, 'output'), graph, returnType);
    return { ...inputs, output };
  } finally {
    await session.release();
  }
}
