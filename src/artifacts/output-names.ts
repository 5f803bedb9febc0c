import type { IoPlan } from './io-plan.ts';

/**
 * The outputs readOutputs reads: pass them as session.run(feeds, outputNamesOf(plan)). Running
 * without fetches asks for every output, and onnxruntime-node 1.30 fails outright on a non-tensor
 * one ("Non tensor type is temporarily not supported"), such as skl2onnx's ZipMap probabilities.
 */
export function outputNamesOf(plan: IoPlan): string[] {
  const output = plan.output;
  if (output.kind === 'value') return [output.name];
  return output.probabilitiesName && output.probabilitiesKind === 'tensor' ? [output.labelName, output.probabilitiesName] : [output.labelName];
}
