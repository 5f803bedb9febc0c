/** One named part of a training's time, in seconds of wall time. */
export interface TimePart {
  part: string;
  seconds: number;
}

/**
 * Where a training's time went, part by part, in the order the parts first ran: a part that
 * runs several times (one per AUTO candidate) adds up under its name.
 */
export class PartClock {
  private readonly ms = new Map<string, number>();

  add(part: string, milliseconds: number): void {
    this.ms.set(part, (this.ms.get(part) ?? 0) + Math.max(0, milliseconds));
  }

  /** Runs fn and adds its wall time to `part`. */
  time<T>(part: string, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.add(part, performance.now() - start);
    }
  }

  async timeAsync<T>(part: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(part, performance.now() - start);
    }
  }

  parts(): TimePart[] {
    return Array.from(this.ms, ([part, ms]) => ({ part, seconds: ms / 1000 }));
  }
}
