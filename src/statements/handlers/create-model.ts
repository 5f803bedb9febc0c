import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { FEATURE_TYPES, NUMERIC_TYPES, TARGET_TYPES, typeNameOfOid } from '../../catalog/pg-types.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { pgPosition } from '../../sql/position.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import { featureSelectExpression } from '../../snapshot/feature-select-expression.ts';
import { Reservoir } from '../../snapshot/reservoir.ts';
import { encodeSnapshot } from '../../snapshot/snapshot-codec.ts';
import type { SnapshotColumn } from '../../snapshot/snapshot-columns.ts';
import type { CreateModel } from '../ast/create-model.ts';
import { currentSchema } from './current-schema.ts';
import { measureBaseline } from '../../monitor/baseline.ts';
import { sourceLabel } from './source-label.ts';

const DEFAULT_MAX_CELLS = 1_000_000;
const DEFAULT_MAX_RUNTIME = 5400;

/**
 * CREATE MODEL (training form). On the client's own session, as its role and inside its
 * transaction: describe and read the training data (PostgreSQL checks SELECT), snapshot it into
 * the catalog, create the model's functions and queue the training job. A ROLLBACK undoes all.
 */
export async function createModel(statement: CreateModel, statementText: string, context: StatementContext): Promise<void> {
  await trainNewVersion(statement, statementText, context, 'TRAINED');
  context.send(commandComplete('CREATE MODEL'));
}

/**
 * Reads, snapshots and registers the training data of a new version (of a new model, or of an
 * existing one with CREATE OR REPLACE and RETRAIN) and queues its training.
 */
export async function trainNewVersion(
  statement: CreateModel,
  statementText: string,
  context: StatementContext,
  source: 'TRAINED' | 'RETRAINED',
): Promise<void> {
  const link = context.upstream;
  const schema = statement.model.schema ?? (await currentSchema(context));
  const functionSchema = statement.function.name.schema ?? schema;

  const sourceSql =
    statement.source.kind === 'Table' ? `SELECT * FROM ${quoteQualified(statement.source.table)}` : statement.source.text;
  const prefix = 'SELECT * FROM (';
  const described = await link.query(`${prefix}${sourceSql}) AS training_data LIMIT 0`).catch((error) => {
    throw placeInStatement(error, statement, statementText, prefix.length);
  });
  const columns: SnapshotColumn[] = described.fields.map((f) => ({ name: f.name, type: typeNameOfOid(f.typeOid) ?? `oid ${f.typeOid}` }));

  // KMEANS learns clusters of the rows themselves: every column is a feature, and there is no TARGET.
  const clustering = statement.modelType === 'KMEANS';
  const target = statement.target;
  if (!target && !clustering) throw new ClientError(SqlState.invalidParameterValue, 'TARGET is required for this model type');
  const targetColumn = clustering ? null : columns.find((c) => c.name === target);
  if (targetColumn === undefined) {
    throw new ClientError(SqlState.undefinedColumn, `column "${target}" does not exist in the training data`, {
      hint: `The training data has columns ${columns.map((c) => c.name).join(', ')}.`,
    });
  }
  if (targetColumn && !TARGET_TYPES.has(targetColumn.type)) {
    throw new ClientError(SqlState.invalidParameterValue, `target column "${target}" has type ${targetColumn.type}, which cannot be a TARGET`, {
      hint: 'Targets are int2, int4, int8, float4, float8, bool, char, varchar or text; cast it in a FROM (SELECT ...).',
    });
  }
  const features = columns.filter((c) => c !== targetColumn);
  if (features.length === 0) throw new ClientError(SqlState.invalidParameterValue, 'the training data has no feature columns besides the TARGET');
  for (const f of features) {
    if (!FEATURE_TYPES.has(f.type)) {
      throw new ClientError(SqlState.invalidParameterValue, `feature column "${f.name}" has type ${f.type}, which a model cannot take`, {
        hint: 'Cast it to a number, bool, text, date or timestamp in a FROM (SELECT ...).',
      });
    }
    if (new Set(features.map((x) => x.name)).size !== features.length) {
      throw new ClientError(SqlState.invalidParameterValue, `the training data has two columns named "${f.name}"`);
    }
  }
  const declared = statement.function.parameterTypes;
  if (declared && declared.length !== features.length) {
    throw new ClientError(
      SqlState.invalidParameterValue,
      `FUNCTION ${statement.function.name.name} declares ${declared.length} parameter types, but the training data has ${features.length} feature columns`,
      { hint: `The features are, in order: ${features.map((f) => `${f.name} ${f.type}`).join(', ')}.` },
    );
  }
  const parameterTypes = declared ? declared.map((t) => t.name) : features.map((f) => f.type);
  const preprocessors = statement.preprocessors?.kind === 'Steps'
    ? statement.preprocessors.steps.map((step) => ({ columnSet: [...step.columnSet], transformers: [...step.transformers] }))
    : undefined;
  for (const step of preprocessors ?? []) {
    for (const column of step.columnSet) {
      if (column !== '*' && !features.some((f) => f.name === column)) {
        throw new ClientError(SqlState.invalidParameterValue, `PREPROCESSORS names column "${column}", which is not a feature of the training data`, {
          hint: `The features are ${features.map((f) => f.name).join(', ')}.`,
        });
      }
    }
  }

  // Read the data as the caller. Rows beyond MAX_CELLS are sampled down, uniformly and seeded.
  const maxCells = statement.settings.maxCells ?? DEFAULT_MAX_CELLS;
  const reservoir = new Reservoir<string>(Math.max(1, Math.floor(maxCells / columns.length)));
  const ordered = targetColumn ? [...features, targetColumn] : features;
  const selectList = ordered.map((c) => featureSelectExpression(quoteIdent(c.name), c.type)).join(', ');
  await link.copyOut(`COPY (SELECT ${selectList} FROM (${sourceSql}) AS training_data) TO STDOUT`, (line) => reservoir.add(line));
  if (reservoir.rows.length === 0) {
    throw new ClientError(SqlState.invalidParameterValue, 'the training data has no rows');
  }

  const problemType = !targetColumn ? 'CLUSTERING' : (statement.problemType ?? inferProblemType(statement, targetColumn, reservoir.rows));
  const returnType = !targetColumn ? 'int4' : problemType === 'REGRESSION' ? 'float8' : targetColumn.type;
  const spec = {
    auto: statement.auto,
    modelType: statement.auto ? 'AUTO' : statement.modelType,
    problemType,
    objective: statement.objective,
    hyperparameters: statement.hyperparameters?.overrides ?? {},
    hyperparametersDefault: statement.hyperparameters !== undefined,
    maxRuntime: statement.settings.maxRuntime ?? DEFAULT_MAX_RUNTIME,
    maxCells,
    iamRole: statement.iamRole ? (statement.iamRole.kind === 'Default' ? 'default' : statement.iamRole.arn) : undefined,
    s3Bucket: statement.settings.s3Bucket,
    kmsKeyId: statement.settings.kmsKeyId,
    s3GarbageCollect: statement.settings.s3GarbageCollect ?? true,
    tags: statement.settings.tags,
    targetType: targetColumn?.type,
    preprocessors,
    sourceKind: statement.source.kind,
    sourceTable: statement.source.kind === 'Table' ? statement.source.table : undefined,
  };
  const snapshotColumns = ordered.map((c) => ({ name: c.name, type: c.type }));
  const trainingSource = await sourceLabel(link, statement.source);

  const registered = await link.query(
    `SELECT * FROM modelgres.create_model(current_user, $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9, $10::jsonb,
       $11, $12::jsonb, $13, $14, $15::bytea, $16, $17)`,
    [
      schema,
      statement.model.name,
      functionSchema,
      statement.function.name.name,
      pgArray(features.map((f) => f.name)),
      pgArray(parameterTypes),
      returnType,
      target ?? null,
      problemType,
      JSON.stringify(spec),
      trainingSource,
      JSON.stringify(snapshotColumns),
      String(reservoir.rows.length),
      reservoir.sampled ? 'true' : 'false',
      `\\x${encodeSnapshot(reservoir.rows).toString('hex')}`,
      statement.orReplace ? 'true' : 'false',
      source,
    ],
  );
  // The features' distributions, the reference that SHOW MODEL ... DRIFT compares new data with.
  const baseline = await measureBaseline(link, sourceSql, features, targetColumn?.name);
  await link.query('SELECT modelgres.set_baseline(current_user, $1, $2::jsonb)', [registered.rows[0][1], JSON.stringify(baseline)]);
  // Outside a transaction block the change is committed: the router learns it now.
  if (context.transactionStatus() === 'I') await context.catalogChanged();
}

/**
 * The contract's rule: with AUTO OFF the objective decides; otherwise a numeric target is a
 * regression and a bool or text target a binary or multiclass classification by its values.
 */
function inferProblemType(statement: CreateModel, target: SnapshotColumn, rows: string[]): string {
  const objective = statement.objective?.toLowerCase();
  if (!statement.auto && objective) {
    if (objective.startsWith('reg:')) return 'REGRESSION';
    if (objective.startsWith('binary:')) return 'BINARY_CLASSIFICATION';
    if (objective.startsWith('multi:')) return 'MULTICLASS_CLASSIFICATION';
  }
  if (NUMERIC_TYPES.has(target.type)) return 'REGRESSION';
  const distinct = new Set<string>();
  for (const row of rows) {
    const value = row.slice(row.lastIndexOf('\t') + 1);
    if (value !== '\\N') distinct.add(value);
    if (distinct.size > 2) return 'MULTICLASS_CLASSIFICATION';
  }
  if (distinct.size < 2) {
    throw new ClientError(SqlState.invalidParameterValue, `target column "${target.name}" has fewer than two distinct values`, {
      hint: 'A classifier needs at least two classes in the training data.',
    });
  }
  return 'BINARY_CLASSIFICATION';
}

/** A text[] literal. */
export function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** An error PostgreSQL found in the FROM query, moved to where the query stands in the statement. */
function placeInStatement(error: unknown, statement: CreateModel, statementText: string, prefixLength: number): unknown {
  if (!(error instanceof ClientError) || error.upstreamPosition === undefined) return error;
  // A query the statement did not spell (RETRAIN repeats a stored one) has no place in it.
  if (statement.source.kind === 'Query' && statementText.slice(statement.source.start).startsWith(statement.source.text)) {
    error.position = pgPosition(statementText, statement.source.start) + (error.upstreamPosition - prefixLength - 1);
  }
  return error;
}
