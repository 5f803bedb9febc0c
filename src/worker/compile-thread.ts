/**
 * Compiles a trained version's SQL bodies in a thread of its own, started by a training thread
 * (training-thread.ts) beside itself: the bodies are compiled while the training thread works
 * out TreeSHAP and the prediction baseline. In: { id, version } (compile/version-bodies.ts's
 * VersionToCompile). Out: { id, bodies } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { compileVersionBodies, type VersionToCompile } from '../compile/version-bodies.ts';

parentPort!.on('message', ({ id, version }: { id: number; version: VersionToCompile }) => {
  try {
    parentPort!.postMessage({ id, bodies: compileVersionBodies(version) });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
