import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { ModelSpec } from '../../catalog/model-spec.ts';
import { NUMERIC_TYPES } from '../../catalog/pg-types.ts';
import { forecastReturnType, parsePercentiles, type Percentile } from '../../forecast/percentiles.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { quoteIdent } from '../../sql/identifiers.ts';
import type { SnapshotColumn } from '../../snapshot/snapshot-columns.ts';
import type { CreateForecastModel } from '../ast/create-forecast-model.ts';
import { currentSchema } from './current-schema.ts';
import { registerTrainedVersion } from './create-model/register-trained-version.ts';
import { describeTrainingData, trainingSourceSql } from './create-model/training-data.ts';
import { readTrainingSnapshot } from './create-model/training-snapshot.ts';
import { sourceLabel } from './source-label.ts';
import { DEFAULT_MAX_CELLS, DEFAULT_MAX_RUNTIME } from './create-model/trained-spec.ts';

const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);

export async function createForecastModel(statement: CreateForecastModel, text: string, context: StatementContext): Promise<void> {
  await trainForecastVersion(statement, text, context, 'TRAINED');
  context.send(commandComplete('CREATE MODEL'));
}

/**
 * A new version of a FORECAST model (a new model, CREATE OR REPLACE, or RETRAIN): on the
 * client's session, as its role and in its transaction, the rows (series id, time, TARGET) are
 * read and kept whole (a forecast cannot be trained on a sample of its rows), the model and its
 * function m() registered and the training queued. A ROLLBACK undoes all.
 */
export async function trainForecastVersion(
  s: CreateForecastModel,
  text: string,
  context: StatementContext,
  source: 'TRAINED' | 'RETRAINED',
): Promise<void> {
  const link = context.upstream;
  const schema = s.model.schema ?? (await currentSchema(context));
  const sourceSql = trainingSourceSql(s.source);
  await checkFunctionName(context, schema, s.model.name);
  const { id, time, target } = forecastColumns(s, await describeTrainingData(link, s, text, sourceSql));
  const percentiles = parsePercentiles(s.percentiles) as Percentile[];

  // The id as text, the time as a wall-clock timestamp (timestamptz in the session's TimeZone).
  const columns: SnapshotColumn[] = [
    { name: id.name, type: 'text' },
    { name: time.name, type: 'timestamp' },
    { name: target.name, type: 'float8' },
  ];
  const casts = columns.map((c) => `(${quoteIdent(c.name)})::${c.type} AS ${quoteIdent(c.name)}`).join(', ');
  const maxCells = s.settings.maxCells ?? DEFAULT_MAX_CELLS;
  const capacity = Math.max(1, Math.floor(maxCells / 3));
  const snapshot = await readTrainingSnapshot(link, `SELECT ${casts} FROM (${sourceSql}) AS forecast_data`, columns, capacity);
  if (snapshot.sampled) {
    throw new ClientError(SqlState.programLimitExceeded, `the training data has more than ${capacity} rows, the most MAX_CELLS ${maxCells} allows a forecast`, {
      hint: 'A forecast needs every row of its series: raise MAX_CELLS in SETTINGS, or select fewer series.',
    });
  }
  const spec: ModelSpec = {
    auto: s.auto,
    modelType: 'FORECAST',
    problemType: 'FORECAST',
    objective: s.objective,
    hyperparameters: {},
    hyperparametersDefault: false,
    maxRuntime: s.settings.maxRuntime ?? DEFAULT_MAX_RUNTIME,
    maxCells,
    iamRole: s.iamRole ? (s.iamRole.kind === 'Default' ? 'default' : s.iamRole.arn) : undefined,
    s3Bucket: s.settings.s3Bucket,
    kmsKeyId: s.settings.kmsKeyId,
    s3GarbageCollect: s.settings.s3GarbageCollect ?? true,
    tags: s.settings.tags,
    targetType: target.type,
    sourceKind: s.source.kind,
    sourceTable: s.source.kind === 'Table' ? s.source.table : undefined,
    forecast: { horizon: s.horizon, frequency: s.frequency, percentiles: s.percentiles },
  };
  await registerTrainedVersion(link, {
    schema,
    model: s.model.name,
    // SELECT FORECAST(m) is SELECT * FROM m(): the function is the model's name, in its schema.
    function: { schema, name: s.model.name, parameterNames: [], parameterTypes: [], returnType: forecastReturnType(percentiles) },
    target: s.target,
    problemType: 'FORECAST',
    spec,
    trainingSource: await sourceLabel(link, s.source),
    snapshot,
    orReplace: s.orReplace,
    source,
  });
  if (link.transactionStatus() === 'I') await context.catalogChanged();
}

/**
 * The three columns of a forecast's rows: TARGET (a number), the time (the one date or timestamp
 * column besides it; with two, the second, as Redshift writes item_id, timestamp) and the series
 * id (the other, of any type, kept as its text).
 */
function forecastColumns(s: CreateForecastModel, described: SnapshotColumn[]): Record<'id' | 'time' | 'target', SnapshotColumn> {
  const names = described.map((c) => `${c.name} ${c.type}`).join(', ');
  if (described.length !== 3) {
    throw new ClientError(SqlState.invalidParameterValue, `the training data of a FORECAST model has 3 columns (series id, time, TARGET), not ${described.length}`, {
      hint: `Select the series id, the time and the value: the columns are ${names}.`,
    });
  }
  const target = described.find((c) => c.name === s.target);
  if (!target) {
    throw new ClientError(SqlState.undefinedColumn, `column "${s.target}" does not exist in the training data`, { hint: `The training data has columns ${names}.` });
  }
  if (!NUMERIC_TYPES.has(target.type)) {
    throw new ClientError(SqlState.invalidParameterValue, `target column "${target.name}" has type ${target.type}; a forecast's TARGET is a number`, {
      hint: 'Cast it to a numeric type in a FROM (SELECT ...).',
    });
  }
  const others = described.filter((c) => c !== target);
  const times = others.filter((c) => TIME_TYPES.has(c.type));
  if (times.length === 0) {
    throw new ClientError(SqlState.invalidParameterValue, 'the training data of a FORECAST model has no date or timestamp column', {
      hint: `Select the series id, a date or timestamp, and the TARGET: the columns are ${names}.`,
    });
  }
  const time = times[times.length - 1];
  return { id: others.find((c) => c !== time)!, time, target };
}

/**
 * The model's function m() is named for the user, so it must not replace a function of theirs
 * (CREATE OR REPLACE FUNCTION would), nor be hidden by one of PostgreSQL's: pg_catalog comes
 * first in every search_path, and SELECT FORECAST(now) would call now().
 */
async function checkFunctionName(context: StatementContext, schema: string, name: string): Promise<void> {
  const r = await context.upstream.query(
    `SELECT (SELECT obj_description(f, 'pg_proc') IS DISTINCT FROM 'modelgres model ' || format('%I.%I', $1::text, $2::text)
               FROM to_regprocedure(format('%I.%I()', $1::text, $2::text)) AS f WHERE f IS NOT NULL) AS taken,
            to_regprocedure(format('pg_catalog.%I()', $2::text)) IS NOT NULL AS builtin`,
    [schema, name],
  );
  const [taken, builtin] = r.rows[0];
  if (builtin === 't') {
    throw new ClientError(SqlState.duplicateFunction, `a FORECAST model cannot be named "${name}": its function ${name}() would be hidden by PostgreSQL's`, {
      hint: 'Choose another model name.',
    });
  }
  if (taken === 't') {
    throw new ClientError(SqlState.duplicateFunction, `function "${name}" already exists with the same argument types`, {
      hint: `A FORECAST model's forecast is read through a function named after it, ${name}(); choose another model name.`,
    });
  }
}
