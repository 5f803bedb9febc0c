/**
 * One onnxruntime thread of the inference pool. It keeps a session per artifact (job name) and
 * runs batches sent by the main thread, so predictions never block the proxy's event loop.
 *
 * It ends only when asked with 'close', once its runs are done: a thread terminated in the middle
 * of session.run() aborts the whole process (onnxruntime-node converts the outputs through N-API
 * after the run, which throws in C++ on a terminating thread: "terminate called after throwing an
 * instance of 'Napi::Error'").
 */
import { parentPort } from 'node:worker_threads';
// A namespace import: the thread loads this file as CommonJS (onnx-session-cache.ts), where a default import of onnxruntime-node is undefined.
import * as ort from 'onnxruntime-node';
import { SESSION_OPTIONS } from './session-options.ts';

export interface WireTensor {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

export type ThreadRequest =
  | { id: number; kind: 'load'; jobName: string; onnx: Uint8Array }
  | { id: number; kind: 'run'; jobName: string; feeds: Record<string, WireTensor>; fetches?: string[] }
  /** Releases every session once no load or run is under way, answers, and lets the thread end. */
  | { id: number; kind: 'close' };

export type ThreadReply =
  | { id: number; ok: true; inputNames?: readonly string[]; outputNames?: readonly string[]; outputs?: Record<string, WireTensor> }
  | { id: number; ok: false; message: string };

const sessions = new Map<string, ort.InferenceSession>();
/** Loads and runs under way, and who waits for them to be none. */
let underWay = 0;
const whenIdle: Array<() => void> = [];

parentPort!.on('message', async (request: ThreadRequest) => {
  if (request.kind === 'close') {
    if (underWay > 0) await new Promise<void>((resolve) => whenIdle.push(resolve));
    for (const session of sessions.values()) await session.release().catch(() => {});
    sessions.clear();
    reply({ id: request.id, ok: true });
    // Nothing left to wait for: the thread ends on its own.
    parentPort!.close();
    return;
  }
  underWay++;
  try {
    if (request.kind === 'load') {
      let session = sessions.get(request.jobName);
      if (!session) {
        session = await ort.InferenceSession.create(request.onnx, SESSION_OPTIONS);
        sessions.set(request.jobName, session);
      }
      reply({ id: request.id, ok: true, inputNames: session.inputNames, outputNames: session.outputNames });
      return;
    }
    const session = sessions.get(request.jobName);
    if (!session) throw new Error(`no session for ${request.jobName}`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor(t.type, t.data as never, t.dims);
    const out = request.fetches ? await session.run(feeds, request.fetches) : await session.run(feeds);
    const outputs: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(out)) {
      outputs[name] = { type: t.type, data: t.data, dims: t.dims };
      const buffer = (t.data as { buffer?: unknown }).buffer;
      if (buffer instanceof ArrayBuffer) transfer.push(buffer);
    }
    parentPort!.postMessage({ id: request.id, ok: true, outputs } satisfies ThreadReply, transfer);
  } catch (error) {
    reply({ id: request.id, ok: false, message: (error as Error).message });
  } finally {
    if (--underWay === 0) whenIdle.splice(0).forEach((resolve) => resolve());
  }
});

function reply(message: ThreadReply): void {
  parentPort!.postMessage(message);
}
