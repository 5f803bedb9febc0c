import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Rows buffered before they are sorted and folded into the held counts. */
const CHUNK_ROWS = 1 << 20;
/** Distinct scores held in memory (24 bytes each); beyond it they are written to a run file. */
const HELD_SCORES = 1 << 20;
/** Entries read from each run file at a time while merging. */
const READ_ENTRIES = 1 << 14;
const ENTRY_BYTES = 24;

/**
 * The exact area under the ROC curve of any number of (score, positive) rows in bounded memory:
 * the Mann–Whitney statistic, the chance that a random positive row scores above a random
 * negative one, ties counting half. Scores are the float32 probabilities onnxruntime gives, so
 * rows are counted by distinct float32 score: positives and negatives per score are all the
 * statistic needs. Rows are buffered, sorted a chunk at a time and folded into sorted counts per
 * score; when too many distinct scores are held, they go to a temporary run file, and the runs
 * are merged in order at the end (an external sort). Memory stays a few tens of MB whatever the
 * number of rows; disk holds 24 bytes per distinct score of each run.
 */
export class ExactAuc {
  /** Buffered rows, each as orderKey(score) * 2 + (positive ? 1 : 0): one sort orders both. */
  private buffer: Float64Array | null = null;
  private buffered = 0;
  private held: Counts = emptyCounts();
  private runDir: string | null = null;
  private runs: Array<{ file: string; entries: number }> = [];

  add(score: number, positive: boolean): void {
    this.buffer ??= new Float64Array(CHUNK_ROWS);
    if (this.buffered === CHUNK_ROWS) this.foldBuffer();
    this.buffer[this.buffered++] = orderKey(score) * 2 + (positive ? 1 : 0);
  }

  /** The AUC, or null when the rows hold no positive or no negative; temporary files are removed. */
  result(): number | null {
    try {
      this.foldBuffer();
      if (this.runs.length === 0) return aucOf(countsCursor(this.held));
      this.spill();
      return aucOf(mergedRuns(this.runs));
    } finally {
      this.close();
    }
  }

  /** Removes the run files (also when the evaluation fails half-way). */
  close(): void {
    if (this.runDir) rmSync(this.runDir, { recursive: true, force: true });
    this.runDir = null;
    this.runs = [];
    this.buffer = null;
    this.held = emptyCounts();
  }

  private foldBuffer(): void {
    if (this.buffered === 0 || !this.buffer) return;
    const sorted = this.buffer.subarray(0, this.buffered).sort();
    this.held = mergeCounts(this.held, countsOfSorted(sorted));
    this.buffered = 0;
    if (this.held.size > HELD_SCORES) this.spill();
  }

  /** Writes the held counts as one sorted run file. */
  private spill(): void {
    if (this.held.size === 0) return;
    this.runDir ??= mkdtempSync(path.join(os.tmpdir(), 'modelgres-auc-'));
    const file = path.join(this.runDir, `run-${this.runs.length}`);
    const fd = openSync(file, 'w');
    try {
      const block = new Float64Array(READ_ENTRIES * 3);
      for (let from = 0; from < this.held.size; from += READ_ENTRIES) {
        const to = Math.min(from + READ_ENTRIES, this.held.size);
        for (let i = from; i < to; i++) {
          const o = (i - from) * 3;
          block[o] = this.held.keys[i];
          block[o + 1] = this.held.positives[i];
          block[o + 2] = this.held.negatives[i];
        }
        writeSync(fd, new Uint8Array(block.buffer, 0, (to - from) * ENTRY_BYTES));
      }
    } finally {
      closeSync(fd);
    }
    this.runs.push({ file, entries: this.held.size });
    this.held = emptyCounts();
  }
}

/** Positives and negatives per distinct score key, keys ascending. */
interface Counts {
  size: number;
  keys: Float64Array;
  positives: Float64Array;
  negatives: Float64Array;
}

function emptyCounts(): Counts {
  return { size: 0, keys: new Float64Array(0), positives: new Float64Array(0), negatives: new Float64Array(0) };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The float32 of a score as an unsigned integer in the order of the scores: positive floats with
 * the sign bit set, negative ones with all bits flipped. -0 counts as 0, as it compares equal.
 */
export function orderKey(score: number): number {
  f32[0] = score === 0 ? 0 : score;
  const bits = u32[0];
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function countsOfSorted(sorted: Float64Array): Counts {
  const keys = new Float64Array(sorted.length);
  const positives = new Float64Array(sorted.length);
  const negatives = new Float64Array(sorted.length);
  let size = -1;
  let last = -1;
  for (let i = 0; i < sorted.length; i++) {
    const packed = sorted[i];
    const key = Math.floor(packed / 2);
    if (key !== last) {
      size++;
      keys[size] = key;
      last = key;
    }
    if (packed - key * 2 === 1) positives[size]++;
    else negatives[size]++;
  }
  size++;
  return { size, keys: keys.subarray(0, size), positives: positives.subarray(0, size), negatives: negatives.subarray(0, size) };
}

function mergeCounts(a: Counts, b: Counts): Counts {
  if (a.size === 0) return b;
  const capacity = a.size + b.size;
  const out = { size: 0, keys: new Float64Array(capacity), positives: new Float64Array(capacity), negatives: new Float64Array(capacity) };
  let i = 0;
  let j = 0;
  while (i < a.size || j < b.size) {
    const k = out.size++;
    if (j === b.size || (i < a.size && a.keys[i] < b.keys[j])) {
      out.keys[k] = a.keys[i];
      out.positives[k] = a.positives[i];
      out.negatives[k] = a.negatives[i++];
    } else if (i === a.size || b.keys[j] < a.keys[i]) {
      out.keys[k] = b.keys[j];
      out.positives[k] = b.positives[j];
      out.negatives[k] = b.negatives[j++];
    } else {
      out.keys[k] = a.keys[i];
      out.positives[k] = a.positives[i] + b.positives[j];
      out.negatives[k] = a.negatives[i++] + b.negatives[j++];
    }
  }
  return { size: out.size, keys: out.keys.subarray(0, out.size), positives: out.positives.subarray(0, out.size), negatives: out.negatives.subarray(0, out.size) };
}

/** (key, positives, negatives) in ascending key order; a key may come several times in a row. */
type ScoreCounts = Iterable<[number, number, number]>;

function* countsCursor(c: Counts): ScoreCounts {
  for (let i = 0; i < c.size; i++) yield [c.keys[i], c.positives[i], c.negatives[i]];
}

/** The runs' entries merged in key order, each file read a block at a time. */
function* mergedRuns(runs: ReadonlyArray<{ file: string; entries: number }>): ScoreCounts {
  const readers = runs.map((run) => new RunReader(run.file, run.entries));
  try {
    for (;;) {
      let best = -1;
      for (let r = 0; r < readers.length; r++) {
        if (!readers[r].done && (best < 0 || readers[r].key < readers[best].key)) best = r;
      }
      if (best < 0) return;
      const reader = readers[best];
      yield [reader.key, reader.positives, reader.negatives];
      reader.next();
    }
  } finally {
    for (const reader of readers) reader.close();
  }
}

class RunReader {
  private readonly fd: number;
  private readonly block = new Float64Array(READ_ENTRIES * 3);
  private inBlock = 0;
  private at = 0;
  private read = 0;
  done = false;
  key = 0;
  positives = 0;
  negatives = 0;

  constructor(file: string, private readonly entries: number) {
    this.fd = openSync(file, 'r');
    this.next();
  }

  next(): void {
    if (this.at === this.inBlock) {
      const want = Math.min(READ_ENTRIES, this.entries - this.read);
      if (want === 0) {
        this.done = true;
        return;
      }
      const bytes = new Uint8Array(this.block.buffer, 0, want * ENTRY_BYTES);
      let got = 0;
      while (got < bytes.length) got += readSync(this.fd, bytes, got, bytes.length - got, (this.read * ENTRY_BYTES) + got);
      this.read += want;
      this.inBlock = want;
      this.at = 0;
    }
    const o = this.at++ * 3;
    this.key = this.block[o];
    this.positives = this.block[o + 1];
    this.negatives = this.block[o + 2];
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Σ over scores of positives × (negatives scoring lower + half the negatives at that score),
 * over positives × negatives. Counts are integers and halves, exact in a double up to 2^52.
 */
function aucOf(counts: ScoreCounts): number | null {
  let positives = 0;
  let negatives = 0;
  let numerator = 0;
  let key = -1;
  let pos = 0;
  let neg = 0;
  const close = () => {
    numerator += pos * (negatives + neg / 2);
    positives += pos;
    negatives += neg;
  };
  for (const [k, p, n] of counts) {
    if (k !== key) {
      close();
      key = k;
      pos = 0;
      neg = 0;
    }
    pos += p;
    neg += n;
  }
  close();
  if (positives === 0 || negatives === 0) return null;
  return numerator / (positives * negatives);
}
