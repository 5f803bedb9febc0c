import type { ArrayStore } from '../array-store.ts';
import { MAXIMUM_PAGES } from './wasm-kernels.ts';

const PAGE = 65536;

/**
 * One training's arrays in one shared WebAssembly memory, which both threads' kernel instances
 * import (a shared memory's buffer is a SharedArrayBuffer: its views go to the helper thread
 * without copying). Arrays are cut from it in order and never freed; the memory goes with the
 * training. Growing does not move or detach earlier arrays (a shared memory is reserved to its
 * maximum up front); later arrays are views of the grown buffer. 16-byte aligned, so a row's
 * (g, h) pair and a histogram slot are each one aligned v128.
 */
export class KernelMemory implements ArrayStore {
  readonly memory: WebAssembly.Memory;
  private top = 0;

  constructor(initialBytes: number) {
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(initialBytes / PAGE)), maximum: MAXIMUM_PAGES, shared: true });
  }

  private take(bytes: number): number {
    const at = this.top;
    const top = Math.ceil((at + bytes) / 16) * 16;
    const have = this.memory.buffer.byteLength / PAGE;
    const pages = Math.ceil(top / PAGE) - have;
    if (have + pages > MAXIMUM_PAGES) throw new RangeError(`GBDT training arrays need more than WebAssembly's 4 GiB (${Math.ceil(top / 2 ** 20)} MiB)`);
    // Grow by at least an eighth, so that growing histogram buffers do not grow it each time.
    if (pages > 0) this.memory.grow(Math.min(MAXIMUM_PAGES - have, Math.max(pages, have >> 3)));
    this.top = top;
    return at;
  }

  float64s(length: number): Float64Array {
    const at = this.take(8 * length);
    return new Float64Array(this.memory.buffer, at, length);
  }

  float32s(length: number): Float32Array {
    const at = this.take(4 * length);
    return new Float32Array(this.memory.buffer, at, length);
  }

  int32s(length: number): Int32Array {
    const at = this.take(4 * length);
    return new Int32Array(this.memory.buffer, at, length);
  }

  uint16s(length: number): Uint16Array {
    const at = this.take(2 * length);
    return new Uint16Array(this.memory.buffer, at, length);
  }

  uint8s(length: number): Uint8Array {
    const at = this.take(length);
    return new Uint8Array(this.memory.buffer, at, length);
  }
}

/** Room left for histograms and tables when choosing WebAssembly: the rows' arrays may take half of wasm32's 4 GiB. */
const MAXIMUM_ROW_BYTES = 2 ** 31;

/**
 * A KernelMemory for a training of rows × features with `outputs` gradient arrays, sized for its
 * row arrays (bins, gradient pairs, margins, positions, sample flags, row lists); undefined when they
 * would not leave room for histograms in 4 GiB, or the memory cannot be reserved (the
 * JavaScript kernels then run on ordinary arrays).
 */
export function kernelMemoryFor(rows: number, features: number, outputs: number): KernelMemory | undefined {
  const rowBytes = rows * (features + 24 * outputs + 2 + 1 + 4);
  if (rowBytes > MAXIMUM_ROW_BYTES) return undefined;
  try {
    return new KernelMemory(rowBytes + (1 << 20));
  } catch {
    // A shared memory reserves its 4 GiB of address space up front; where a limit (ulimit -v)
    // refuses that, the JavaScript kernels run instead.
    return undefined;
  }
}
