import { createRandom, type Random } from '../training/util/random.ts';

/**
 * Keeps a uniform random sample of at most `capacity` rows from a stream of unknown length
 * (Vitter's algorithm R), seeded so the same data gives the same sample.
 */
export class Reservoir<T> {
  readonly rows: T[] = [];
  seen = 0;
  private readonly random: Random;

  constructor(private readonly capacity: number, seed = 1) {
    this.random = createRandom(seed);
  }

  add(row: T): void {
    this.seen++;
    if (this.rows.length < this.capacity) {
      this.rows.push(row);
      return;
    }
    const j = this.random.int(this.seen);
    if (j < this.capacity) this.rows[j] = row;
  }

  get sampled(): boolean {
    return this.seen > this.rows.length;
  }
}
