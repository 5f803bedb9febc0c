import pg from 'pg';
import { compileVersionBodies } from '../compile/version-bodies.ts';
import type { IoPlan } from '../artifacts/index.ts';
import type { Logger } from '../util/logger.ts';

/**
 * Gives the versions registered before model functions had SQL bodies (or by a proxy that could
 * not compile them) their bodies, once, at start: until then PostgreSQL answers direct calls with
 * "has no SQL form yet". Each version is one short transaction of its own (install_compiled
 * locks its model), so a large catalog never holds a long lock.
 */
export async function compileMissingBodies(upstreamUrl: string, log: Logger): Promise<number> {
  const client = new pg.Client({ connectionString: upstreamUrl });
  await client.connect();
  try {
    const pending = await client.query<{ model_id: string; version: number }>(
      `SELECT model_id::text, version FROM modelgres.model_version WHERE state = 'READY' AND compiled_value IS NULL ORDER BY model_id, version`,
    );
    for (const { model_id, version } of pending.rows) {
      const r = await client.query(
        `SELECT v.onnx, v.io_plan, v.classes, v.problem_type, m.parameter_types, m.return_type
           FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
          WHERE v.model_id = $1 AND v.version = $2 AND v.compiled_value IS NULL`,
        [model_id, version],
      );
      const row = r.rows[0];
      if (!row?.onnx) continue;
      const bodies = compileVersionBodies({
        onnx: row.onnx,
        ioPlan: row.io_plan as IoPlan | null,
        classes: row.classes,
        problemType: row.problem_type,
        parameterTypes: row.parameter_types,
        returnType: row.return_type,
      });
      await client.query('SELECT modelgres.install_compiled($1, $2, $3::jsonb, $4::jsonb)', [
        model_id,
        version,
        JSON.stringify(bodies.value),
        bodies.probabilities ? JSON.stringify(bodies.probabilities) : null,
      ]);
    }
    if (pending.rowCount) log.info(`compiled the SQL bodies of ${pending.rowCount} model version(s) registered before they had them`);
    return pending.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
