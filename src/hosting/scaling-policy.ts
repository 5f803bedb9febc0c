import os from 'node:os';

/** When a hosted model's units scale, and how long STOP waits for calls in flight. */
export interface ScalingPolicy {
  /** A batch that waited this long for a free unit adds a unit, up to the maximum (default 50 ms). */
  readonly scaleUpQueueMs: number;
  /** A unit idle this long is removed, down to the minimum (default 60 s). */
  readonly scaleDownIdleMs: number;
  /** After STOP, units stay until no batch has run on them for this long (default 1 s). */
  readonly drainIdleMs: number;
}

export const DEFAULT_SCALING: ScalingPolicy = { scaleUpQueueMs: 50, scaleDownIdleMs: 60_000, drainIdleMs: 1_000 };

/** More units than cores only queue on the cores: MAX_INFERENCE_UNITS is bounded by them. */
export function unitCeiling(maxUnits: number): number {
  return Math.max(1, Math.min(maxUnits, os.availableParallelism()));
}
