/**
 * The histogram kernels alone, JavaScript (hist-kernels.ts) against WebAssembly with SIMD
 * (wasm/wasm-kernels.ts), on one thread: nanoseconds per cell (one row's bin of one feature
 * added into its node's histogram) for the root and for a level whose smaller children are
 * `--nodes` histograms, rows spread over them at random as at a deep level. Checks that both give
 * the same sums, bit for bit. Then the split scans (split-finder.ts findBestSplit against
 * wasm-kernels.ts wasmSplitFinder) over one node's histogram: nanoseconds per candidate split.
 *
 *   node --import tsx bench/gbdt-hist-kernel.ts [--rows 800000] [--features 10] [--repeat 5]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { listedHistogramRange, rootHistogramRange } from '../src/training/gbdt/hist-kernels.ts';
import { findBestSplit } from '../src/training/gbdt/split-finder.ts';
import { gainParams } from '../src/training/gbdt/split-gain.ts';
import { KernelMemory } from '../src/training/gbdt/wasm/kernel-memory.ts';
import { MAXIMUM_PAGES, wasmExports, wasmSplitFinder } from '../src/training/gbdt/wasm/wasm-kernels.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '800000' }, features: { type: 'string', default: '10' }, repeat: { type: 'string', default: '5' } },
});
const n = Number(values.rows);
const F = Number(values.features);
const repeat = Number(values.repeat);
const BINS = 258;
const MAX_NODES = 32;
const histSize = 2 * F * BINS;

const memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
let top = 0;
function alloc(bytes: number): number {
  const at = top;
  top = Math.ceil((top + bytes) / 16) * 16;
  const pages = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  return at;
}
// The offset first: growing the memory gives it a new (longer) buffer.
const u8 = (len: number) => { const at = alloc(len); return new Uint8Array(memory.buffer, at, len); };
const u16 = (len: number) => { const at = alloc(2 * len); return new Uint16Array(memory.buffer, at, len); };
const i32 = (len: number) => { const at = alloc(4 * len); return new Int32Array(memory.buffer, at, len); };
const f64 = (len: number) => { const at = alloc(8 * len); return new Float64Array(memory.buffer, at, len); };

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const bins = u8(n * F);
for (let i = 0; i < n * F; i++) bins[i] = Math.floor(rand() * BINS);
const slot = i32(F);
for (let f = 0; f < F; f++) slot[f] = 2 * f * BINS;
const gh = f64(2 * n);
for (let i = 0; i < 2 * n; i++) gh[i] = Math.fround(rand() - 0.5);
const inSample = u8(n).fill(1);
const position = u16(n);
const smallOffset = i32(2 * MAX_NODES);
const smallRows = i32(n);
const histJs = f64(MAX_NODES * histSize);
const histWasm = f64(MAX_NODES * histSize);
const k = wasmExports(memory);

function time(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function same(): boolean {
  for (let i = 0; i < histJs.length; i++) if (histJs[i] !== histWasm[i]) return false;
  return true;
}

const load = os.loadavg()[0];
const lines: string[] = [];
{
  const js = time(() => {
    histJs.fill(0, 0, histSize);
    rootHistogramRange(histJs, bins, slot, gh, inSample, n, 0, F);
  });
  const wasm = time(() => {
    histWasm.fill(0, 0, histSize);
    k.root(histWasm.byteOffset, bins.byteOffset, slot.byteOffset, gh.byteOffset, inSample.byteOffset, n, F, 0, F);
  });
  const cells = n * F;
  lines.push(`root: JS ${(1e6 * js / cells).toFixed(2)} ns/cell, wasm ${(1e6 * wasm / cells).toFixed(2)} ns/cell (${(js / wasm).toFixed(2)}x), same sums ${same()}`);
}
for (const nodes of [1, 4, 16]) {
  // 2 × nodes children; the even ones are the smaller, built from their listed rows.
  smallOffset.fill(-1);
  for (let c = 0; c < nodes; c++) smallOffset[2 * c] = c * histSize;
  let count = 0;
  for (let r = 0; r < n; r++) {
    position[r] = Math.floor(rand() * 2 * nodes);
    if (smallOffset[position[r]] >= 0) smallRows[count++] = r;
  }
  const js = time(() => {
    histJs.fill(0);
    listedHistogramRange(histJs, bins, slot, gh, position, smallOffset, smallRows, 0, count, 0, F);
  });
  const wasm = time(() => {
    histWasm.fill(0);
    k.listed(histWasm.byteOffset, bins.byteOffset, slot.byteOffset, gh.byteOffset, position.byteOffset, smallOffset.byteOffset, smallRows.byteOffset, 0, count, F, 0, F);
  });
  const cells = count * F;
  lines.push(`level, ${nodes} histograms: JS ${(1e6 * js / cells).toFixed(2)} ns/cell, wasm ${(1e6 * wasm / cells).toFixed(2)} ns/cell (${(js / wasm).toFixed(2)}x), same sums ${same()}`);
}
{
  // One node: the root's histogram of the rows above, every feature allowed.
  const store = new KernelMemory(8 * histSize + 4096);
  const hist = store.float64s(histSize);
  histWasm.fill(0, 0, histSize);
  k.root(histWasm.byteOffset, bins.byteOffset, slot.byteOffset, gh.byteOffset, inSample.byteOffset, n, F, 0, F);
  hist.set(histWasm.subarray(0, histSize));
  const offsets = Int32Array.from({ length: F }, (_, f) => f * BINS);
  const cutCounts = new Int32Array(F).fill(BINS - 2);
  const allowed = Int32Array.from({ length: F }, (_, f) => f);
  let G = 0;
  let H = 0;
  for (let b = 0; b < BINS; b++) {
    G += hist[2 * b];
    H += hist[2 * b + 1];
  }
  const p = gainParams({ lambda: 1, alpha: 0, maxDeltaStep: 0, minChildWeight: 1 });
  const wasmSplit = wasmSplitFinder(store.memory, store);
  const calls = 2000;
  let js: ReturnType<typeof findBestSplit>;
  let wasm: ReturnType<typeof findBestSplit>;
  const jsMs = time(() => {
    for (let i = 0; i < calls; i++) js = findBestSplit(hist, offsets, cutCounts, allowed, G, H, p);
  });
  const wasmMs = time(() => {
    for (let i = 0; i < calls; i++) wasm = wasmSplit(hist, offsets, cutCounts, allowed, G, H, p);
  });
  const candidates = calls * F * 2 * (BINS - 1);
  lines.push(
    `split scans: JS ${(1e6 * jsMs / candidates).toFixed(2)} ns/candidate, wasm ${(1e6 * wasmMs / candidates).toFixed(2)} ns/candidate `
    + `(${(jsMs / wasmMs).toFixed(2)}x), same split ${JSON.stringify(js!) === JSON.stringify(wasm!)}`,
  );
}
console.log(lines.join('\n'));
console.log(`load ${load.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}; command: node --import tsx bench/gbdt-hist-kernel.ts --rows ${n} --features ${F} --repeat ${repeat}`);
