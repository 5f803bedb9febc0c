import ort from 'onnxruntime-node';
import type { TestProxy } from './test-proxy.ts';

/** An onnxruntime session on the stored artifact of a model's active version (read directly), run as the proxy runs it. */
export async function storedModelSession(proxy: TestProxy, model: string): Promise<ort.InferenceSession> {
  const direct = await proxy.direct();
  const r = await direct.query(
    `SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
      WHERE m.model_name = $1 AND v.version = m.active_version`,
    [model],
  );
  // One thread, as the proxy's inference threads run: onnxruntime's tree ensembles sum the trees
  // in a different order when they split the work across threads, which changes the last bits.
  return ort.InferenceSession.create(r.rows[0].onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}
