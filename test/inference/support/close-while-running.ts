/**
 * Run as its own process (a native abort would end it, not the test runner): loads the ONNX
 * file argv[2] into an inference pool, sends a large batch to its threads, closes the pool at
 * once, and prints how the batch ended. The pool's close must wait for the run, not abort it.
 */
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { OnnxSessionCache } from '../../../src/inference/onnx-session-cache.ts';

const onnx = readFileSync(process.argv[2]);
const cache = new OnnxSessionCache(2);
const runner = await cache.get('close-while-running', async () => onnx);
const rows = 200_000;
const feeds = Object.fromEntries(
  runner.inputNames.map((name, j) => [name, new ort.Tensor('float32', Float32Array.from({ length: rows }, (_, i) => (i * (j + 3)) % 17), [rows, 1])]),
);
// Posted before the close: the thread takes the run first, so the close finds it under way.
const running = runner.run(feeds).then(
  (out) => `ran ${Object.values(out)[0].dims[0]} rows`,
  (error: Error) => `refused: ${error.message}`,
);
await cache.close();
console.log(`closed; ${await running}`);
