import ort from 'onnxruntime-node';

/**
 * Small batches of one model that arrive together, from different clients, run as one
 * onnxruntime batch. A run of one row costs onnxruntime about as much as a run of sixteen (its
 * fixed cost per run is far above a tree ensemble's cost per row), so sixteen clients each
 * calling `SELECT f(...)` pay it a few times instead of sixteen.
 *
 * The bound is one run: a request that finds no run under way starts one at once (a lone client
 * waits for nothing), and the requests that arrive while it runs go together in the next one. Only
 * for models whose inputs and outputs hold one row per row of the batch along dimension 0, as
 * trained models' do.
 */
export class MicroBatcher {
  private pending: Pending[] = [];
  private running = false;

  constructor(private readonly runBatch: (feeds: Record<string, ort.Tensor>) => Promise<Record<string, ort.Tensor>>) {}

  run(rows: number, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, feeds, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0) {
      const round = this.pending;
      this.pending = [];
      await this.runRound(round);
    }
    this.running = false;
  }

  private async runRound(round: Pending[]): Promise<void> {
    if (round.length === 1) {
      const [only] = round;
      return this.runBatch(only.feeds).then(only.resolve, only.reject);
    }
    let outputs: Record<string, ort.Tensor>;
    try {
      outputs = await this.runBatch(joinFeeds(round));
    } catch {
      // One request's trouble stays its own: each runs alone and gets its own answer.
      await Promise.all(round.map((p) => this.runBatch(p.feeds).then(p.resolve, p.reject)));
      return;
    }
    let from = 0;
    for (const p of round) {
      p.resolve(rowsOf(outputs, from, from + p.rows));
      from += p.rows;
    }
  }
}

interface Pending {
  rows: number;
  feeds: Record<string, ort.Tensor>;
  resolve(outputs: Record<string, ort.Tensor>): void;
  reject(error: unknown): void;
}

type Rows = ArrayLike<unknown> & { slice(start: number, end: number): Rows; constructor: new (n: number) => Rows & { set(a: ArrayLike<unknown>, o: number): void } };

/** The requests' feeds, input by input, one after the other along dimension 0. */
function joinFeeds(round: readonly Pending[]): Record<string, ort.Tensor> {
  const rows = round.reduce((n, p) => n + p.rows, 0);
  const joined: Record<string, ort.Tensor> = {};
  for (const [name, first] of Object.entries(round[0].feeds)) {
    const dims = [rows, ...first.dims.slice(1)];
    if (Array.isArray(first.data)) {
      joined[name] = new ort.Tensor('string', round.flatMap((p) => p.feeds[name].data as string[]), dims);
      continue;
    }
    const parts = round.map((p) => p.feeds[name].data as unknown as Rows);
    const data = new parts[0].constructor(parts.reduce((n, d) => n + d.length, 0));
    let o = 0;
    for (const d of parts) {
      data.set(d, o);
      o += d.length;
    }
    joined[name] = new ort.Tensor(first.type as 'float32', data as unknown as Float32Array, dims);
  }
  return joined;
}

/** Rows [from, to) of every output. */
function rowsOf(outputs: Record<string, ort.Tensor>, from: number, to: number): Record<string, ort.Tensor> {
  const mine: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(outputs)) {
    const width = t.dims[0] === 0 ? 0 : (t.data as unknown as Rows).length / t.dims[0];
    const data = (t.data as unknown as Rows).slice(from * width, to * width);
    mine[name] = new ort.Tensor(t.type as 'float32', data as unknown as Float32Array, [to - from, ...t.dims.slice(1)]);
  }
  return mine;
}
