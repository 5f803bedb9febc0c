import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { UpstreamSession } from '../../../session/upstream-session.ts';
import { encodeSnapshot } from '../../../snapshot/snapshot-codec.ts';
import { pgArray } from '../../../sql/pg-array.ts';
import type { TrainingSnapshot } from './training-snapshot.ts';

/** Everything modelgres.create_model records of a new trained version. */
export interface TrainedVersion {
  schema: string;
  model: string;
  function: {
    schema: string;
    name: string;
    parameterNames: string[];
    parameterTypes: string[];
    returnType: string;
  };
  /** The TARGET as the statement names it; null without one. */
  target: string | null;
  problemType: string;
  spec: ModelSpec;
  /** The FROM source as SHOW MODEL lists it. */
  trainingSource: string;
  snapshot: TrainingSnapshot;
  /** CREATE OR REPLACE (and RETRAIN): a new version of an existing model is allowed. */
  orReplace: boolean;
  source: 'TRAINED' | 'RETRAINED';
}

/**
 * Records the version, its snapshot and the model's functions in the catalog and queues its
 * training job, on the caller's session and in its transaction (create_model checks privileges).
 */
export async function registerTrainedVersion(link: UpstreamSession, v: TrainedVersion): Promise<{ version: number; jobName: string }> {
  const r = await link.query(
    `SELECT * FROM modelgres.create_model(current_user, $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9, $10::jsonb,
       $11, $12::jsonb, $13, $14, $15::bytea, $16, $17)`,
    [
      v.schema,
      v.model,
      v.function.schema,
      v.function.name,
      pgArray(v.function.parameterNames),
      pgArray(v.function.parameterTypes),
      v.function.returnType,
      v.target,
      v.problemType,
      JSON.stringify(v.spec),
      v.trainingSource,
      JSON.stringify(v.snapshot.columns),
      String(v.snapshot.rows.length),
      v.snapshot.sampled ? 'true' : 'false',
      `\\x${encodeSnapshot(v.snapshot.rows).toString('hex')}`,
      v.orReplace ? 'true' : 'false',
      v.source,
    ],
  );
  const [version, jobName] = r.rows[0];
  return { version: Number(version), jobName: jobName! };
}
