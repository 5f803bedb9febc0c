/**
 * The kernels of hist-kernels.ts in WebAssembly. The histogram ones with SIMD: a row's (g, h) pair is one
 * f64x2 (gh is interleaved, as each histogram bin's (g, h) slot), added into its bin with one
 * v128 load, add and store per cell, where JavaScript needs two loads, two adds and two stores
 * plus bounds checks on every typed-array access. The sums are the same, bit for bit: each slot
 * still adds its rows' g and h one row at a time, in the order the JavaScript kernels do. Moving
 * rows and the margin update are scalar, the JavaScript loops without the typed arrays' bounds
 * checks (the margin rounded to float32 by f32.demote, as Math.fround).
 * Arguments are byte addresses in the shared memory every array of a training lives in
 * (wasm-memory.ts); the kernels' arrays are the JavaScript ones', at their byteOffset.
 */
import type { ArrayStore } from '../array-store.ts';
import { type HistogramKernels, JS_KERNELS } from '../hist-kernels.ts';
import { findBestSplit, type SplitFinder, validSplit } from '../split-finder.ts';
import { structureScore } from '../split-gain.ts';
import { assembleModule, type Code, F64, type FunctionDef, I32, op, V128, type ValueType } from './wasm-emitter.ts';

/** A function's locals by name: its parameters (all i32 addresses or counts) first, then the others. */
interface Frame {
  get(name: string): number[];
  set(name: string): number[];
  tee(name: string): number[];
  params: ValueType[];
  locals: ValueType[];
}

function frame(params: (string | [string, ValueType])[], locals: [string, ValueType][]): Frame {
  const index = new Map<string, number>();
  [...params.map((p) => (typeof p === 'string' ? p : p[0])), ...locals.map(([n]) => n)].forEach((n, i) => index.set(n, i));
  const at = (n: string): number => {
    const i = index.get(n);
    if (i === undefined) throw new Error(`wasm kernel: no local ${n}`);
    return i;
  };
  return {
    get: (n) => op.get(at(n)),
    set: (n) => op.set(at(n)),
    tee: (n) => op.tee(at(n)),
    params: params.map((p) => (typeof p === 'string' ? I32 : p[1])),
    locals: locals.map(([, t]) => t),
  };
}

/** The locals of rowCells, featureRange and rowStart. */
const CELL_LOCALS: [string, ValueType][] = [['h', I32], ['bp', I32], ['pe', I32], ['sp', I32], ['a', I32], ['odd', I32], ['pairs', I32], ['sp0', I32], ['ghv', V128]];

/** hist at (h + 8 × (slot[f] + 2 × bin)) += ghv, for the cell whose bin is at bp + k and slot at sp + 4k. */
function cell(l: Frame, k: number): Code[] {
  return [
    l.get('h'), l.get('sp'), op.i32Load(4 * k), op.i32Const(3), op.i32Shl, op.i32Add,
    l.get('bp'), op.i32Load8u(k), op.i32Const(4), op.i32Shl, op.i32Add, l.tee('a'),
    l.get('a'), op.v128Load(), l.get('ghv'), op.f64x2Add, op.v128Store(),
  ];
}

/** One row's cells, features [f0, f1): pairs (as the JavaScript kernels unroll), then the odd one. */
function rowCells(l: Frame): Code[] {
  return [
    op.block,
    l.get('bp'), l.get('pe'), op.i32GeU, op.brIf(0),
    op.loop,
    ...cell(l, 0), ...cell(l, 1),
    l.get('sp'), op.i32Const(8), op.i32Add, l.set('sp'),
    l.get('bp'), op.i32Const(2), op.i32Add, l.tee('bp'), l.get('pe'), op.i32LtU, op.brIf(0),
    op.end,
    op.end,
    l.get('odd'), op.if, ...cell(l, 0), op.end,
  ];
}

/** Per call: how many features come in pairs, whether one is left, and the slot pointer at f0. */
function featureRange(l: Frame): Code[] {
  return [
    l.get('f1'), l.get('f0'), op.i32Sub, op.i32Const(-2), op.i32And, l.set('pairs'),
    l.get('f1'), l.get('f0'), op.i32Sub, op.i32Const(1), op.i32And, l.set('odd'),
    l.get('slot'), l.get('f0'), op.i32Const(2), op.i32Shl, op.i32Add, l.set('sp0'),
  ];
}

/** Row r's bins pointer, pairs end, slot pointer and (g, h). */
function rowStart(l: Frame, r: Code[]): Code[] {
  return [
    l.get('bins'), ...r, l.get('F'), op.i32Mul, op.i32Add, l.get('f0'), op.i32Add, l.tee('bp'),
    l.get('pairs'), op.i32Add, l.set('pe'),
    l.get('sp0'), l.set('sp'),
    l.get('gh'), ...r, op.i32Const(4), op.i32Shl, op.i32Add, op.v128Load(), l.set('ghv'),
  ];
}

/** rootHistogramRange: every sampled row r < n into hist. */
function rootFunction(): FunctionDef {
  const L = frame(['hist', 'bins', 'slot', 'gh', 'inSample', 'n', 'F', 'f0', 'f1'], [['r', I32], ...CELL_LOCALS]);
  return {
    name: 'root',
    params: L.params,
    locals: L.locals,
    body: [
      ...featureRange(L),
      L.get('hist'), L.set('h'),
      op.block,
      L.get('n'), op.i32Eqz, op.brIf(0),
      op.loop,
      op.block,
      L.get('inSample'), L.get('r'), op.i32Add, op.i32Load8u(), op.i32Eqz, op.brIf(0),
      ...rowStart(L, [L.get('r')]),
      ...rowCells(L),
      op.end,
      L.get('r'), op.i32Const(1), op.i32Add, L.tee('r'), L.get('n'), op.i32LtU, op.brIf(0),
      op.end,
      op.end,
    ],
  };
}

/** listedHistogramRange: rows smallRows[i0, i1), each into its node's histogram at smallOffset[position[r]]. */
function listedFunction(): FunctionDef {
  const L = frame(['hist', 'bins', 'slot', 'gh', 'position', 'smallOffset', 'smallRows', 'i0', 'i1', 'F', 'f0', 'f1'], [['i', I32], ['r', I32], ...CELL_LOCALS]);
  return {
    name: 'listed',
    params: L.params,
    locals: L.locals,
    body: [
      ...featureRange(L),
      L.get('i0'), L.set('i'),
      op.block,
      L.get('i'), L.get('i1'), op.i32GeU, op.brIf(0),
      op.loop,
      L.get('smallRows'), L.get('i'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), L.set('r'),
      L.get('hist'),
      L.get('smallOffset'), L.get('position'), L.get('r'), op.i32Const(1), op.i32Shl, op.i32Add, op.i32Load16u(),
      op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), op.i32Const(3), op.i32Shl, op.i32Add, L.set('h'),
      ...rowStart(L, [L.get('r')]),
      ...rowCells(L),
      L.get('i'), op.i32Const(1), op.i32Add, L.tee('i'), L.get('i1'), op.i32LtU, op.brIf(0),
      op.end,
      op.end,
    ],
  };
}

/** moveRowsRange: rows [r0, r1) to their children, listing from smallRows[listStart] those of smaller children; returns how many. */
function moveFunction(): FunctionDef {
  const L = frame(
    ['bins', 'F', 'inSample', 'position', 'feature', 'tableOffset', 'goesRight', 'leftId', 'smallOffset', 'smallRows', 'r0', 'r1', 'listStart'],
    [['r', I32], ['count', I32], ['p', I32], ['f', I32], ['child', I32]],
  );
  return {
    name: 'move',
    params: L.params,
    results: [I32],
    locals: L.locals,
    body: [
      L.get('r0'), L.set('r'),
      L.get('listStart'), L.set('count'),
      op.block,
      L.get('r'), L.get('r1'), op.i32GeU, op.brIf(0),
      op.loop,
      op.block,
      L.get('position'), L.get('r'), op.i32Const(1), op.i32Shl, op.i32Add, op.i32Load16u(), L.set('p'),
      L.get('feature'), L.get('p'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), L.tee('f'),
      op.i32Const(0), op.i32LtS, op.brIf(0),
      ...childOf(L),
      L.set('child'),
      L.get('position'), L.get('r'), op.i32Const(1), op.i32Shl, op.i32Add, L.get('child'), op.i32Store16(),
      L.get('smallRows'), L.get('count'), op.i32Const(2), op.i32Shl, op.i32Add, L.get('r'), op.i32Store(),
      // count += ((smallOffset[child] >>> 31) ^ 1) & inSample[r]
      L.get('smallOffset'), L.get('child'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), op.i32Const(31), op.i32ShrU,
      op.i32Const(1), op.i32Xor,
      L.get('inSample'), L.get('r'), op.i32Add, op.i32Load8u(), op.i32And,
      L.get('count'), op.i32Add, L.set('count'),
      op.end,
      L.get('r'), op.i32Const(1), op.i32Add, L.tee('r'), L.get('r1'), op.i32LtU, op.brIf(0),
      op.end,
      op.end,
      L.get('count'), L.get('listStart'), op.i32Sub,
    ],
  };
}

/** leftId[p] + goesRight[tableOffset[p] + bins[r × F + f]]: the child row r moves to from node p, split on f. */
function childOf(L: Frame): Code[] {
  return [
    L.get('leftId'), L.get('p'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(),
    L.get('goesRight'),
    L.get('tableOffset'), L.get('p'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), op.i32Add,
    L.get('bins'), L.get('r'), L.get('F'), op.i32Mul, op.i32Add, L.get('f'), op.i32Add, op.i32Load8u(), op.i32Add,
    op.i32Load8u(),
    op.i32Add,
  ];
}

/** addLeafValuesRange: margin[r × outputs + output] = float32(margin + value[leaf of r]), rows [r0, r1). */
function leavesFunction(): FunctionDef {
  const L = frame(
    ['margin', 'outputs', 'output', 'value', 'bins', 'F', 'position', 'feature', 'tableOffset', 'goesRight', 'leftId', 'r0', 'r1'],
    [['r', I32], ['p', I32], ['f', I32], ['at', I32]],
  );
  return {
    name: 'leaves',
    params: L.params,
    locals: L.locals,
    body: [
      L.get('r0'), L.set('r'),
      op.block,
      L.get('r'), L.get('r1'), op.i32GeU, op.brIf(0),
      op.loop,
      L.get('position'), L.get('r'), op.i32Const(1), op.i32Shl, op.i32Add, op.i32Load16u(), L.set('p'),
      L.get('feature'), L.get('p'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), L.tee('f'),
      op.i32Const(0), op.i32GeS, op.if, ...childOf(L), L.set('p'), op.end,
      L.get('margin'), L.get('r'), L.get('outputs'), op.i32Mul, L.get('output'), op.i32Add, op.i32Const(3), op.i32Shl, op.i32Add, L.tee('at'),
      L.get('at'), op.f64Load(),
      L.get('value'), L.get('p'), op.i32Const(3), op.i32Shl, op.i32Add, op.f64Load(),
      op.f64Add, op.f32DemoteF64, op.f64PromoteF32, op.f64Store(),
      L.get('r'), op.i32Const(1), op.i32Add, L.tee('r'), L.get('r1'), op.i32LtU, op.brIf(0),
      op.end,
      op.end,
    ],
  };
}

/** Math.fround as an instruction pair: to float32 (round to nearest even) and back. */
const FROUND: Code[] = [op.f32DemoteF64, op.f64PromoteF32];

/**
 * split-gain.ts structureScore without max_delta_step: h <= 0 ? 0 : fround(t² / (h + lambda)),
 * t = g soft-thresholded by alpha (thresholdL1). Leaves the score on the stack.
 */
function score(L: Frame, g: string, h: string): Code[] {
  return [
    L.get(h), op.f64Const(0), op.f64Le,
    op.ifF64, op.f64Const(0),
    op.else,
    L.get(g), L.get('alpha'), op.f64Sub,
    L.get(g), L.get('alpha'), op.f64Add,
    op.f64Const(0),
    L.get(g), op.f64Const(0), L.get('alpha'), op.f64Sub, op.f64Lt,
    op.select,
    L.get(g), L.get('alpha'), op.f64Gt,
    op.select,
    L.tee('t'), L.get('t'), op.f64Mul, L.get(h), L.get('lambda'), op.f64Add, op.f64Div, ...FROUND,
    op.end,
  ];
}

/** change = fround(fround(score(gl, hl) + score(gr, hr)) - parentScore), when both sides have mcw hessian; then `better`. */
function candidate(L: Frame, gl: string, hl: string, gr: string, hr: string, better: Code[]): Code[] {
  return [
    L.get(hl), L.get('mcw'), op.f64Ge, L.get(hr), L.get('mcw'), op.f64Ge, op.i32And,
    op.if,
    ...score(L, gl, hl), ...score(L, gr, hr), op.f64Add, ...FROUND, L.get('parentScore'), op.f64Sub, ...FROUND, L.set('change'),
    ...better,
    op.end,
  ];
}

/**
 * split-finder.ts findBestSplit's scans for max_delta_step 0, the same comparisons in the same
 * order: writes the best split's feature (-1: none), bin and missing-left as i32 at out, out + 4,
 * out + 8, and its loss change, left G and left H as f64 at out + 16, + 24, + 32. offsets,
 * cutCounts and allowed are i32 arrays; the validity checks after the scans stay in JavaScript.
 */
function bestSplitFunction(): FunctionDef {
  const L = frame(
    ['hist', 'offsets', 'cutCounts', 'allowed', 'nAllowed', 'out', ['totalG', F64], ['totalH', F64], ['lambda', F64], ['alpha', F64], ['mcw', F64], ['parentScore', F64]],
    [
      ['a', I32], ['feature', I32], ['off', I32], ['valueBins', I32], ['s', I32], ['fBin', I32], ['fMissing', I32], ['bBin', I32],
      ['bestFeature', I32], ['bestBin', I32], ['bestMissing', I32],
      ['gl', F64], ['hl', F64], ['gr', F64], ['hr', F64], ['fChange', F64], ['fG', F64], ['fH', F64], ['bChange', F64], ['bG', F64], ['bH', F64],
      ['bestChange', F64], ['bestG', F64], ['bestH', F64], ['change', F64], ['t', F64],
    ],
  );
  const zero = (...names: string[]): Code[] => names.flatMap((n) => [op.f64Const(0), L.set(n)]);
  const pairAt = (sExpr: Code[]): Code[] => [L.get('off'), ...sExpr, op.i32Const(4), op.i32Shl, op.i32Add];
  return {
    name: 'bestSplit',
    params: L.params,
    locals: L.locals,
    body: [
      op.i32Const(-1), L.set('bestFeature'),
      op.block,
      L.get('nAllowed'), op.i32Eqz, op.brIf(0),
      op.loop,
      L.get('allowed'), L.get('a'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), L.set('feature'),
      L.get('hist'), L.get('offsets'), L.get('feature'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), op.i32Const(4), op.i32Shl, op.i32Add, L.set('off'),
      L.get('cutCounts'), L.get('feature'), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), op.i32Const(1), op.i32Add, L.set('valueBins'),
      ...zero('fChange', 'fG', 'fH', 'gl', 'hl'),
      op.i32Const(-1), L.set('fBin'), op.i32Const(0), L.set('fMissing'),
      // Forward: s = 1 .. valueBins (valueBins >= 1).
      op.i32Const(1), L.set('s'),
      op.loop,
      L.get('gl'), ...pairAt([L.get('s')]), op.f64Load(), op.f64Add, L.set('gl'),
      L.get('hl'), ...pairAt([L.get('s')]), op.f64Load(8), op.f64Add, L.set('hl'),
      L.get('totalG'), L.get('gl'), op.f64Sub, L.set('gr'),
      L.get('totalH'), L.get('hl'), op.f64Sub, L.set('hr'),
      ...candidate(L, 'gl', 'hl', 'gr', 'hr', [
        L.get('change'), L.get('fChange'), op.f64Gt,
        op.if, L.get('change'), L.set('fChange'), L.get('s'), L.set('fBin'), L.get('gl'), L.set('fG'), L.get('hl'), L.set('fH'), op.end,
      ]),
      L.get('s'), op.i32Const(1), op.i32Add, L.tee('s'), L.get('valueBins'), op.i32LeS, op.brIf(0),
      op.end,
      // Backward, when this node has missing values: s = valueBins - 1 .. 0; gl, hl then hold the left side with them.
      L.get('gl'), L.get('totalG'), op.f64Ne, L.get('hl'), L.get('totalH'), op.f64Ne, op.i32Or,
      op.if,
      ...zero('gr', 'hr', 'bChange', 'bG', 'bH'),
      op.i32Const(-1), L.set('bBin'),
      L.get('valueBins'), op.i32Const(1), op.i32Sub, L.set('s'),
      op.loop,
      L.get('gr'), ...pairAt([L.get('s'), op.i32Const(1), op.i32Add]), op.f64Load(), op.f64Add, L.set('gr'),
      L.get('hr'), ...pairAt([L.get('s'), op.i32Const(1), op.i32Add]), op.f64Load(8), op.f64Add, L.set('hr'),
      L.get('totalG'), L.get('gr'), op.f64Sub, L.set('gl'),
      L.get('totalH'), L.get('hr'), op.f64Sub, L.set('hl'),
      ...candidate(L, 'gl', 'hl', 'gr', 'hr', [
        L.get('change'), L.get('bChange'), op.f64Gt,
        op.if, L.get('change'), L.set('bChange'), L.get('s'), L.set('bBin'), L.get('gl'), L.set('bG'), L.get('hl'), L.set('bH'), op.end,
      ]),
      L.get('s'), op.i32Const(1), op.i32Sub, L.tee('s'), op.i32Const(0), op.i32GeS, op.brIf(0),
      op.end,
      L.get('bBin'), op.i32Const(0), op.i32GeS, L.get('bChange'), L.get('fChange'), op.f64Gt, op.i32And,
      op.if,
      L.get('bChange'), L.set('fChange'), L.get('bBin'), L.set('fBin'), op.i32Const(1), L.set('fMissing'), L.get('bG'), L.set('fG'), L.get('bH'), L.set('fH'),
      op.end,
      op.end,
      L.get('fBin'), op.i32Const(0), op.i32GeS, L.get('fChange'), L.get('bestChange'), op.f64Gt, op.i32And,
      op.if,
      L.get('fChange'), L.set('bestChange'), L.get('feature'), L.set('bestFeature'), L.get('fBin'), L.set('bestBin'),
      L.get('fMissing'), L.set('bestMissing'), L.get('fG'), L.set('bestG'), L.get('fH'), L.set('bestH'),
      op.end,
      L.get('a'), op.i32Const(1), op.i32Add, L.tee('a'), L.get('nAllowed'), op.i32LtU, op.brIf(0),
      op.end,
      op.end,
      L.get('out'), L.get('bestFeature'), op.i32Store(),
      L.get('out'), L.get('bestBin'), op.i32Store(4),
      L.get('out'), L.get('bestMissing'), op.i32Store(8),
      L.get('out'), L.get('bestChange'), op.f64Store(16),
      L.get('out'), L.get('bestG'), op.f64Store(24),
      L.get('out'), L.get('bestH'), op.f64Store(32),
    ],
  };
}

/** 4 GiB, wasm32's whole address space: a shared memory must declare a maximum, and may grow to it. */
export const MAXIMUM_PAGES = 65536;

interface Exports {
  root(hist: number, bins: number, slot: number, gh: number, inSample: number, n: number, F: number, f0: number, f1: number): void;
  listed(
    hist: number, bins: number, slot: number, gh: number, position: number, smallOffset: number, smallRows: number,
    i0: number, i1: number, F: number, f0: number, f1: number,
  ): void;
  move(
    bins: number, F: number, inSample: number, position: number, feature: number, tableOffset: number, goesRight: number, leftId: number,
    smallOffset: number, smallRows: number, r0: number, r1: number, listStart: number,
  ): number;
  leaves(
    margin: number, outputs: number, output: number, value: number, bins: number, F: number, position: number, feature: number,
    tableOffset: number, goesRight: number, leftId: number, r0: number, r1: number,
  ): void;
  bestSplit(
    hist: number, offsets: number, cutCounts: number, allowed: number, nAllowed: number, out: number,
    totalG: number, totalH: number, lambda: number, alpha: number, mcw: number, parentScore: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/** The raw kernels over `memory` (byte addresses); the module is assembled and compiled once per thread. */
export function wasmExports(memory: WebAssembly.Memory): Exports {
  compiled ??= new WebAssembly.Module(assembleModule([rootFunction(), listedFunction(), moveFunction(), leavesFunction(), bestSplitFunction()], MAXIMUM_PAGES));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Exports;
}

/**
 * The histogram kernels for a training's arrays: WebAssembly when they are in `memory`
 * (kernel-memory.ts), which every array passed must then be a view of; JavaScript otherwise.
 */
export function histogramKernels(memory: WebAssembly.Memory | undefined): HistogramKernels {
  if (memory === undefined) return JS_KERNELS;
  const k = wasmExports(memory);
  return {
    root: (hist, bins, slot, gh, inSample, n, f0, f1) => {
      k.root(hist.byteOffset, bins.byteOffset, slot.byteOffset, gh.byteOffset, inSample.byteOffset, n, slot.length, f0, f1);
    },
    listed: (hist, bins, slot, gh, position, smallOffset, smallRows, i0, i1, f0, f1) => {
      k.listed(
        hist.byteOffset, bins.byteOffset, slot.byteOffset, gh.byteOffset, position.byteOffset, smallOffset.byteOffset, smallRows.byteOffset,
        i0, i1, slot.length, f0, f1,
      );
    },
    move: (bins, F, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, smallRows, r0, r1, listStart) => k.move(
      bins.byteOffset, F, inSample.byteOffset, position.byteOffset, feature.byteOffset, tableOffset.byteOffset, goesRight.byteOffset,
      leftId.byteOffset, smallOffset.byteOffset, smallRows.byteOffset, r0, r1, listStart,
    ),
    leaves: (margin, outputs, output, value, bins, F, position, feature, tableOffset, goesRight, leftId, r0, r1) => {
      k.leaves(
        margin.byteOffset, outputs, output, value.byteOffset, bins.byteOffset, F, position.byteOffset, feature.byteOffset,
        tableOffset.byteOffset, goesRight.byteOffset, leftId.byteOffset, r0, r1,
      );
    },
  };
}

/**
 * findBestSplit with its scans in WebAssembly (bestSplitFunction) when hist is in `memory` and
 * max_delta_step is 0; findBestSplit itself otherwise. Its tables and result go through a small
 * area of the store (one per training thread).
 */
export function wasmSplitFinder(memory: WebAssembly.Memory, store: ArrayStore): SplitFinder {
  const k = wasmExports(memory);
  // [result: 3 i32, pad, 3 f64 | offsets | cutCounts | allowed]
  const HEAD = 12;
  let area = store.int32s(0);
  let result: Float64Array = new Float64Array(0);
  return (hist, offsets, cutCounts, allowed, totalG, totalH, p) => {
    if (p.maxDeltaStep !== 0) return findBestSplit(hist, offsets, cutCounts, allowed, totalG, totalH, p);
    const F = offsets.length;
    if (area.length < HEAD + 3 * F) {
      area = store.int32s(HEAD + 3 * F);
      result = new Float64Array(area.buffer, area.byteOffset + 16, 3);
    }
    area.set(offsets, HEAD);
    area.set(cutCounts, HEAD + F);
    area.set(allowed, HEAD + 2 * F);
    const at = area.byteOffset;
    k.bestSplit(
      hist.byteOffset, at + 4 * HEAD, at + 4 * (HEAD + F), at + 4 * (HEAD + 2 * F), allowed.length, at,
      totalG, totalH, p.lambda, p.alpha, p.minChildWeight, structureScore(p, totalG, totalH),
    );
    const feature = area[0];
    if (feature < 0) return undefined;
    return validSplit({ feature, splitBin: area[1], missingLeft: area[2] === 1, lossChange: result[0], leftG: result[1], leftH: result[2] }, totalH);
  };
}
