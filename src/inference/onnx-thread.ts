/**
 * One onnxruntime thread of the inference pool. It keeps a session per artifact (job name) and
 * runs batches sent by the main thread, so predictions never block the proxy's event loop.
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
  | { id: number; kind: 'run'; jobName: string; feeds: Record<string, WireTensor>; fetches?: string[] };

export type ThreadReply =
  | { id: number; ok: true; inputNames?: readonly string[]; outputNames?: readonly string[]; outputs?: Record<string, WireTensor> }
  | { id: number; ok: false; message: string };

const sessions = new Map<string, ort.InferenceSession>();

parentPort!.on('message', async (request: ThreadRequest) => {
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
  }
});

function reply(message: ThreadReply): void {
  parentPort!.postMessage(message);
}
