/**
 * Where a training's arrays live. With the WebAssembly kernels (wasm/wasm-kernels.ts) every array
 * they read or write is in one shared WebAssembly memory (wasm/kernel-memory.ts); otherwise
 * (a training too large for a 4 GiB memory, or a test of the JavaScript kernels) they are ordinary
 * typed arrays, over SharedArrayBuffers when a histogram helper thread (hist-pool.ts) will read or
 * write them.
 */
export interface ArrayStore {
  /** The memory the arrays are in, when the kernels are WebAssembly. */
  readonly memory: WebAssembly.Memory | undefined;
  float64s(length: number): Float64Array;
  float32s(length: number): Float32Array;
  int32s(length: number): Int32Array;
  uint16s(length: number): Uint16Array;
  uint8s(length: number): Uint8Array;
}

/** Ordinary typed arrays, over shared memory when `shared`. */
export function typedArrayStore(shared: boolean): ArrayStore {
  const buffer = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    memory: undefined,
    float64s: (length) => new Float64Array(buffer(8 * length)),
    float32s: (length) => new Float32Array(buffer(4 * length)),
    int32s: (length) => new Int32Array(buffer(4 * length)),
    uint16s: (length) => new Uint16Array(buffer(2 * length)),
    uint8s: (length) => new Uint8Array(buffer(length)),
  };
}
