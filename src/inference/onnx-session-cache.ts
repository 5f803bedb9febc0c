import ort from 'onnxruntime-node';

/**
 * onnxruntime sessions, one per trained artifact (its job name), shared by every connection.
 * Artifacts never change once READY, so a cached session never goes stale; the least recently
 * used ones are released beyond `capacity`.
 */
export class OnnxSessionCache {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(private readonly capacity = 32) {}

  get(jobName: string, load: () => Promise<Uint8Array>): Promise<ort.InferenceSession> {
    let session = this.sessions.get(jobName);
    if (session) {
      // Refresh its place in the LRU order.
      this.sessions.delete(jobName);
      this.sessions.set(jobName, session);
      return session;
    }
    session = load().then((bytes) =>
      ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
    );
    session.catch(() => this.sessions.delete(jobName));
    this.sessions.set(jobName, session);
    while (this.sessions.size > this.capacity) {
      const [oldest, evicted] = this.sessions.entries().next().value as [string, Promise<ort.InferenceSession>];
      this.sessions.delete(oldest);
      evicted.then((s) => s.release()).catch(() => {});
    }
    return session;
  }
}
