import { modelCounters, type ModelCounters } from './model-counters.ts';

/** One interval of a model's inference in this proxy. */
export interface ThroughputPoint {
  /** End of the interval, ms since the epoch. */
  at: number;
  rowsPerSecond: number;
  /** Mean onnxruntime time of the interval's batches, ms; null without batches. */
  msPerBatch: number | null;
}

/**
 * The same counters as /metrics, sampled every `intervalMs` into a short history per model (the
 * last `keep` intervals), so the model page can plot throughput and latency over time without a
 * Prometheus server.
 */
export class ThroughputHistory {
  private readonly points = new Map<string, ThroughputPoint[]>();
  private last: { at: number; counters: Map<string, ModelCounters> } | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly intervalMs = 10_000,
    private readonly keep = 360,
  ) {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs).unref();
  }

  /** The model's intervals, oldest first ("schema.name"). */
  of(model: string): ThroughputPoint[] {
    return this.points.get(model) ?? [];
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    const at = Date.now();
    const counters = await modelCounters();
    const last = this.last;
    this.last = { at, counters };
    if (!last) return;
    const seconds = (at - last.at) / 1000;
    for (const [model, now] of counters) {
      const before = last.counters.get(model) ?? { predictions: 0, batches: 0, errors: 0, seconds: 0 };
      const batches = now.batches - before.batches;
      const series = this.points.get(model) ?? [];
      series.push({
        at,
        rowsPerSecond: (now.predictions - before.predictions) / seconds,
        msPerBatch: batches > 0 ? ((now.seconds - before.seconds) / batches) * 1000 : null,
      });
      if (series.length > this.keep) series.shift();
      this.points.set(model, series);
    }
  }
}
