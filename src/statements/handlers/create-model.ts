import { commandComplete } from '../../protocol/backend-messages.ts';
import { inOwnTransaction } from '../../session/own-transaction.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { measureBaseline } from '../../monitor/baseline.ts';
import type { CreateModel } from '../ast/create-model.ts';
import { currentSchema } from './current-schema.ts';
import { sourceLabel } from './source-label.ts';
import { problemTypeOf, returnTypeOf } from './create-model/problem-type.ts';
import { registerTrainedVersion } from './create-model/register-trained-version.ts';
import { maxCellsOf, trainedSpec } from './create-model/trained-spec.ts';
import { checkTrainingColumns } from './create-model/training-columns.ts';
import { describeTrainingData, trainingSourceSql } from './create-model/training-data.ts';
import { readTrainingSnapshot } from './create-model/training-snapshot.ts';

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
  // One transaction (the client's, or one of its own): the job must not be seen, and trained, before
  // its baseline is stored, and a failure anywhere must leave nothing.
  await inOwnTransaction(link, () => registerNewVersion(statement, statementText, context, source));
  // Outside a transaction block the change is committed: the router learns it now.
  if (link.transactionStatus() === 'I') await context.catalogChanged();
}

async function registerNewVersion(statement: CreateModel, statementText: string, context: StatementContext, source: 'TRAINED' | 'RETRAINED'): Promise<void> {
  const link = context.upstream;
  const reading = performance.now();
  const schema = statement.model.schema ?? (await currentSchema(context));
  const sourceSql = trainingSourceSql(statement.source);
  const described = await describeTrainingData(link, statement, statementText, sourceSql);
  const columns = checkTrainingColumns(statement, described);

  // The snapshot keeps at most MAX_CELLS values: so many rows of all the described columns.
  const capacity = Math.max(1, Math.floor(maxCellsOf(statement) / described.length));
  const ordered = columns.target ? [...columns.features, columns.target] : columns.features;
  const snapshot = await readTrainingSnapshot(link, sourceSql, ordered, capacity);

  const problemType = problemTypeOf(statement, columns.target, snapshot.rows);
  // The first part of SHOW MODEL's account of where the time went (worker/training-breakdown.ts).
  const snapshotSeconds = (performance.now() - reading) / 1000;
  const { jobName } = await registerTrainedVersion(link, {
    schema,
    model: statement.model.name,
    function: {
      schema: statement.function.name.schema ?? schema,
      name: statement.function.name.name,
      parameterNames: columns.features.map((f) => f.name),
      parameterTypes: columns.parameterTypes,
      returnType: returnTypeOf(columns.target, problemType),
    },
    target: statement.target ?? null,
    problemType,
    spec: { ...trainedSpec(statement, columns, problemType), snapshotSeconds },
    trainingSource: await sourceLabel(link, statement.source),
    snapshot,
    orReplace: statement.orReplace,
    source,
  });
  // The features' distributions, the reference that SHOW MODEL ... DRIFT compares new data with.
  const baseline = await measureBaseline(link, sourceSql, columns.features, columns.target?.name);
  await link.query('SELECT modelgres.set_baseline(current_user, $1, $2::jsonb)', [jobName, JSON.stringify(baseline)]);
}
