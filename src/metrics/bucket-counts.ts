/**
 * A histogram's counts without labels or text: per bucket (the first bound a value is at or
 * below), the sum and the count. observe() is a bucket search and three adds, where prom-client's
 * costs about 2 µs; PlainHistogram and each model version's cell (model-metrics.ts) keep one.
 */
export class BucketCounts {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}
