import type pg from 'pg';
import { pendingMigrations } from '../catalog/migration-status.ts';

export interface Health {
  ok: boolean;
  upstream: 'reachable' | string;
  pendingMigrations: string[];
}

/** Healthy: PostgreSQL answers the proxy's own connection, and the catalog has every migration. */
export async function checkHealth(pool: pg.Pool): Promise<Health> {
  let pending: string[];
  try {
    pending = await pendingMigrations(pool);
  } catch (error) {
    return { ok: false, upstream: `unreachable: ${error instanceof Error ? error.message : String(error)}`, pendingMigrations: [] };
  }
  return { ok: pending.length === 0, upstream: 'reachable', pendingMigrations: pending };
}
