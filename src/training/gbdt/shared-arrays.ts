/**
 * Typed arrays over shared memory when a histogram helper thread (hist-pool.ts) will read or
 * write them, ordinary ones otherwise.
 */
export function float64s(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
}
export function float32s(length: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(4 * length)) : new Float32Array(length);
}
export function int32s(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
}
export function uint16s(length: number, shared: boolean): Uint16Array {
  return shared ? new Uint16Array(new SharedArrayBuffer(2 * length)) : new Uint16Array(length);
}
export function uint8s(length: number, shared: boolean): Uint8Array {
  return shared ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
}
