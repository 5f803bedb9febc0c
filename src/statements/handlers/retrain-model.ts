import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { RetrainOnDrift } from '../../monitor/drift-scheduler.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { AlterModelRetrain } from '../ast/alter-model.ts';
import type { CreateModel } from '../ast/create-model.ts';
import type { ModelType, ProblemType } from '../ast/model-options.ts';
import type { TrainingSource } from '../ast/training-source.ts';
import type { TransformerName } from '../ast/preprocessors.ts';
import { trainNewVersion } from './create-model.ts';
import { trainForecastVersion } from './create-forecast-model.ts';
import { currentSchema } from './current-schema.ts';
import type { ModelSpec } from '../../catalog/model-spec.ts';

/**
 * ALTER MODEL m RETRAIN [FROM ...] [SETTINGS (...)]: a new version with the most recent
 * version's specification, on new data when FROM is given, read again as the caller.
 */
export async function retrainModel(statement: AlterModelRetrain, text: string, context: StatementContext): Promise<void> {
  const schema = statement.model.schema ?? (await currentSchema(context));
  const r = await context.upstream.query(
    `SELECT m.function_schema, m.function_name, array_to_string(m.parameter_types, ','), m.target_column,
            v.spec::text, v.training_source, v.version, v.source
       FROM modelgres.models m JOIN modelgres.model_versions v USING (model_id)
      WHERE m.schema_name = $1 AND m.model_name = $2 AND v.source IN ('TRAINED', 'RETRAINED')
      ORDER BY v.version DESC LIMIT 1`,
    [schema, statement.model.name],
  );
  const row = r.rows[0];
  if (!row) {
    const exists = await context.upstream.query('SELECT 1 FROM modelgres.models WHERE schema_name = $1 AND model_name = $2', [
      schema,
      statement.model.name,
    ]);
    if (exists.rows.length === 0) throw new ClientError(SqlState.undefinedObject, `model "${statement.model.name}" does not exist`);
    throw new ClientError(SqlState.objectNotInPrerequisiteState, `model "${statement.model.name}" has no trained version to repeat`, {
      hint: 'RETRAIN repeats a CREATE MODEL ... FROM data; versions copied or imported from an artifact cannot be retrained.',
    });
  }
  const [functionSchema, functionName, types, target, specText, trainingSource] = row;
  const spec = JSON.parse(specText!) as ModelSpec;
  const source: TrainingSource =
    statement.source ??
    (spec.sourceKind === 'Table' && spec.sourceTable
      ? { kind: 'Table', table: spec.sourceTable }
      : { kind: 'Query', text: trainingSource!, start: 0 });
  if (spec.modelType === 'FORECAST' && spec.forecast) {
    await trainForecastVersion(
      {
        kind: 'CreateForecastModel',
        orReplace: true,
        model: { schema, name: statement.model.name },
        source,
        target: target!,
        iamRole: spec.iamRole ? (spec.iamRole === 'default' ? { kind: 'Default' } : { kind: 'Arn', arn: spec.iamRole }) : undefined,
        auto: spec.auto ?? true,
        objective: spec.objective!,
        ...spec.forecast,
        settings: { s3Bucket: spec.s3Bucket, kmsKeyId: spec.kmsKeyId, s3GarbageCollect: spec.s3GarbageCollect, maxCells: spec.maxCells, maxRuntime: spec.maxRuntime, tags: spec.tags, ...definedOnly(statement.settings) },
      },
      text,
      context,
      'RETRAINED',
    );
    context.send(commandComplete('ALTER MODEL'));
    return;
  }
  const repeated: CreateModel = {
    kind: 'CreateModel',
    orReplace: true,
    model: { schema, name: statement.model.name },
    source,
    target: target ?? undefined,
    function: {
      name: { schema: functionSchema!, name: functionName! },
      parameterTypes: types!.split(',').map((name) => ({ name, modifiers: [], text: name })),
    },
    iamRole: spec.iamRole ? (spec.iamRole === 'default' ? { kind: 'Default' } : { kind: 'Arn', arn: spec.iamRole }) : undefined,
    auto: spec.auto ?? true,
    modelType: spec.auto === false ? (spec.modelType as ModelType) : undefined,
    problemType: spec.problemType as ProblemType | undefined,
    objective: spec.objective,
    hyperparameters: spec.hyperparametersDefault ? { overrides: spec.hyperparameters ?? {} } : undefined,
    preprocessors: spec.preprocessors?.length
      ? {
          kind: 'Steps',
          steps: spec.preprocessors.map((p) => ({ columnSet: p.columnSet, transformers: p.transformers as TransformerName[] })),
          json: JSON.stringify(spec.preprocessors),
        }
      : undefined,
    settings: {
      s3Bucket: spec.s3Bucket,
      kmsKeyId: spec.kmsKeyId,
      s3GarbageCollect: spec.s3GarbageCollect,
      maxCells: spec.maxCells,
      maxRuntime: spec.maxRuntime,
      tags: spec.tags,
      ...definedOnly(statement.settings),
    },
  };
  await trainNewVersion(repeated, text, context, 'RETRAINED');
  context.send(commandComplete('ALTER MODEL'));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * RETRAIN_ON_DRIFT ON: the scheduled drift check starts ALTER MODEL m RETRAIN itself, on its own
 * session while that acts as the model's owner, so the data is read with the owner's privileges.
 * No client is listening: the answer is dropped, and the catalog's NOTIFY tells every proxy.
 */
export const retrainOnDrift: RetrainOnDrift = async (session, schema, model) => {
  const context: StatementContext = {
    user: '',
    database: '',
    upstream: session,
    send: () => {},
    catalogChanged: async () => {},
    signal: new AbortController().signal,
    // Retraining reads no model files.
    settings: { modelDir: '', maxModelBytes: 0 },
  };
  await retrainModel({ kind: 'AlterModelRetrain', model: { schema, name: model }, settings: {} }, '', context);
};
