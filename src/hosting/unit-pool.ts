import ort from 'onnxruntime-node';
import type { WireTensor } from '../inference/onnx-thread.ts';
import type { ModelRunner } from '../inference/onnx-session-cache.ts';
import { InferenceUnit } from './inference-unit.ts';
import { unitCeiling, type ScalingPolicy } from './scaling-policy.ts';

export type PoolEvent =
  | { kind: 'in-service' }
  | { kind: 'failed'; reason: string }
  | { kind: 'scaled-up' }
  | { kind: 'scaled-down' }
  | { kind: 'unit-failed'; reason: string }
  | { kind: 'unit-replaced' }
  | { kind: 'stopped' };

type PoolState = 'starting' | 'hosted' | 'failed' | 'draining' | 'stopped';

/**
 * The inference units of one hosted artifact in this process. A batch takes a free unit, or waits
 * for one; a wait longer than the policy's threshold adds a unit (up to the maximum), and a unit
 * idle long enough goes (down to the minimum). A unit whose thread dies is replaced and its batch
 * runs again on another. STOP drains: the units serve calls in flight until none has run for a
 * while, then end.
 */
export class UnitPool {
  private readonly units: InferenceUnit[] = [];
  private readonly waiting: Array<{ since: number; take: (unit: InferenceUnit | null) => void }> = [];
  private loading = 0;
  private state: PoolState = 'starting';
  private lastRun = Date.now();
  private readonly timer: NodeJS.Timeout;
  private scaleUpTimer: NodeJS.Timeout | null = null;
  /** The number of units the pool is meant to have now. */
  desired: number;

  constructor(
    readonly jobName: string,
    private readonly onnx: Uint8Array,
    private bounds: { min: number; max: number },
    private readonly policy: ScalingPolicy,
    private readonly onEvent: (pool: UnitPool, event: PoolEvent) => void,
  ) {
    // MIN_INFERENCE_UNITS above the cores would only queue on them, as MAX does (unitCeiling):
    // without the bound, START (MIN_INFERENCE_UNITS 100000) loaded a session and a thread per unit.
    this.desired = Math.min(bounds.min, unitCeiling(bounds.max));
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.min(policy.scaleDownIdleMs, policy.drainIdleMs) / 4));
    this.timer.unref();
  }

  get inService(): number {
    return this.units.length;
  }

  /** Whether new statements take this pool's runner: its units serve, and STOP has not begun. */
  get serving(): boolean {
    return this.state === 'hosted' && this.units.length > 0;
  }

  get draining(): boolean {
    return this.state === 'draining';
  }

  private get accepting(): boolean {
    return this.state === 'starting' || this.state === 'hosted';
  }

  get stopped(): boolean {
    return this.state === 'stopped' || this.state === 'failed';
  }

  /** Loads the minimum number of units; HOSTED once they all serve. */
  async start(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.desired }, () => this.addUnit()));
    } catch (error) {
      this.fail((error as Error).message);
      return;
    }
    if (this.state === 'starting') {
      this.state = 'hosted';
      this.onEvent(this, { kind: 'in-service' });
    }
  }

  /** START again with other bounds: units follow at once up to the new minimum, down when idle. */
  setBounds(bounds: { min: number; max: number }): void {
    this.bounds = bounds;
    const target = Math.min(Math.max(this.desired, bounds.min), unitCeiling(bounds.max));
    while (this.desired < target) {
      this.desired++;
      void this.addUnit().then(() => this.onEvent(this, { kind: 'scaled-up' }), (e: Error) => this.fail(e.message));
    }
  }

  /** STOP: serve what is in flight, then end. */
  drain(): void {
    if (this.accepting) this.state = 'draining';
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.scaleUpTimer) clearTimeout(this.scaleUpTimer);
    this.state = this.state === 'failed' ? 'failed' : 'stopped';
    for (const w of this.waiting.splice(0)) w.take(null);
    await Promise.all(this.units.splice(0).map((u) => u.terminate()));
  }

  /** The units, for operations (and tests: a killed unit is replaced). */
  unitList(): readonly InferenceUnit[] {
    return this.units;
  }

  /** A runner over the units; once the pool has ended, `fallback` (the shared pool) runs the batch. */
  runner(fallback: () => Promise<ModelRunner>): ModelRunner {
    return {
      inputNames: this.units[0]?.inputNames ?? [],
      run: async (feeds, fetches) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const unit = await this.acquire();
          if (!unit) break;
          try {
            return toTensors(await unit.run(toWire(feeds), fetches));
          } catch (error) {
            // A unit that died under the batch: the batch runs again on another one.
            if (unit.alive) throw error;
          } finally {
            this.release(unit);
          }
        }
        return (await fallback()).run(feeds, fetches);
      },
    };
  }

  private async addUnit(): Promise<void> {
    this.loading++;
    const unit = new InferenceUnit(this.jobName, (dead, reason) => this.replace(dead, reason));
    try {
      await unit.load(this.onnx);
    } catch (error) {
      await unit.terminate();
      throw error;
    } finally {
      this.loading--;
    }
    if (this.state === 'stopped' || this.state === 'failed') {
      await unit.terminate();
      return;
    }
    this.units.push(unit);
    this.release(unit);
  }

  private acquire(): Promise<InferenceUnit | null> {
    if (this.state === 'stopped' || this.state === 'failed') return Promise.resolve(null);
    this.lastRun = Date.now();
    const free = this.units.find((u) => !u.busy && u.alive);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((take) => {
      this.waiting.push({ since: Date.now(), take });
      this.scheduleScaleUp();
    });
  }

  private release(unit: InferenceUnit): void {
    unit.busy = false;
    unit.lastUsed = Date.now();
    this.lastRun = unit.lastUsed;
    if (!unit.alive) return;
    const next = this.waiting.shift();
    if (next) {
      unit.busy = true;
      next.take(unit);
    }
  }

  /** A batch still waiting after the threshold asks for one more unit. */
  private scheduleScaleUp(): void {
    if (this.scaleUpTimer || this.state !== 'hosted') return;
    this.scaleUpTimer = setTimeout(() => {
      this.scaleUpTimer = null;
      const oldest = this.waiting[0];
      if (!oldest || Date.now() - oldest.since < this.policy.scaleUpQueueMs) return;
      if (this.state !== 'hosted' || this.desired >= unitCeiling(this.bounds.max)) return;
      this.desired++;
      void this.addUnit().then(() => this.onEvent(this, { kind: 'scaled-up' }), (e: Error) => this.fail(e.message));
    }, this.policy.scaleUpQueueMs);
    this.scaleUpTimer.unref();
  }

  private tick(): void {
    const now = Date.now();
    if (this.state === 'draining') {
      if (this.units.every((u) => !u.busy) && this.waiting.length === 0 && now - this.lastRun >= this.policy.drainIdleMs) {
        void this.close().then(() => this.onEvent(this, { kind: 'stopped' }));
      }
      return;
    }
    if (this.state !== 'hosted' || this.waiting.length > 0 || this.loading > 0) return;
    if (this.desired <= this.bounds.min) return;
    const idle = this.units.find((u) => !u.busy && now - u.lastUsed >= this.policy.scaleDownIdleMs);
    if (!idle) return;
    this.desired--;
    this.units.splice(this.units.indexOf(idle), 1);
    void idle.terminate().then(() => this.onEvent(this, { kind: 'scaled-down' }));
  }

  /** A unit's thread died: out of service, and a new one loads in its place. */
  private replace(dead: InferenceUnit, reason: string): void {
    const at = this.units.indexOf(dead);
    if (at >= 0) this.units.splice(at, 1);
    if (this.state !== 'hosted' && this.state !== 'starting') return;
    this.onEvent(this, { kind: 'unit-failed', reason });
    void this.addUnit().then(() => this.onEvent(this, { kind: 'unit-replaced' }), (e: Error) => this.fail(e.message));
  }

  private fail(reason: string): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'failed';
    void this.close().then(() => this.onEvent(this, { kind: 'failed', reason }));
  }
}

function toWire(feeds: Record<string, ort.Tensor>): Record<string, WireTensor> {
  const wire: Record<string, WireTensor> = {};
  for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, data: t.data, dims: t.dims };
  return wire;
}

function toTensors(wire: Record<string, WireTensor>): Record<string, ort.Tensor> {
  const outputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(wire)) outputs[name] = new ort.Tensor(t.type, t.data as never, t.dims);
  return outputs;
}
