import ort from 'onnxruntime-node';
import type { TestProxy } from './test-proxy.ts';

/** An onnxruntime session on the stored artifact of a model's active version (read directly). */
export async function storedModelSession(proxy: TestProxy, model: string): Promise<ort.InferenceSession> {
  const direct = await proxy.direct();
  const r = await direct.query(
    `SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
      WHERE m.model_name = $1 AND v.version = m.active_version`,
    [model],
  );
  return ort.InferenceSession.create(r.rows[0].onnx);
}
