import { notSupported } from '../../errors/client-error.ts';
import type { StatementContext } from '../../proxy/statement-context.ts';
import type { MlStatement, MlStatementKind, MlStatementOf } from '../ast/ml-statement.ts';
import { createModel } from './create-model.ts';
import { dropModel } from './drop-model.ts';
import { showModel } from './show-model.ts';
import { showModelAll } from './show-model-all.ts';

type Handler<K extends MlStatementKind> = (statement: MlStatementOf<K>, text: string, context: StatementContext) => Promise<void>;

/** A statement the parser knows but whose handler is not built yet answers 0A000, never a fake result. */
function notYet(name: string): () => Promise<never> {
  return async () => {
    throw notSupported(`${name} is not implemented yet`);
  };
}

/** One handler per statement kind: a new kind that nobody handles does not compile. */
const HANDLERS: { [K in MlStatementKind]: Handler<K> } = {
  CreateModel: createModel,
  CreateModelFromArtifact: notYet('CREATE MODEL ... FROM an artifact (bring your own model)'),
  ShowModelAll: showModelAll,
  ShowModel: showModel,
  ShowModelVersions: notYet('SHOW MODEL ... VERSIONS'),
  ShowModelVersion: notYet('SHOW MODEL ... VERSION'),
  ShowModelDrift: notYet('SHOW MODEL ... DRIFT'),
  ShowModelEvaluations: notYet('SHOW MODEL ... EVALUATIONS'),
  DropModel: dropModel,
  DropModelVersion: notYet('DROP MODEL ... VERSION'),
  AlterModelRetrain: notYet('ALTER MODEL ... RETRAIN'),
  AlterModelSetActiveVersion: notYet('ALTER MODEL ... SET ACTIVE VERSION'),
  AlterModelSetActivation: notYet('ALTER MODEL ... SET ACTIVATION'),
  AlterModelRollback: notYet('ALTER MODEL ... ROLLBACK'),
  AlterModelCancel: notYet('ALTER MODEL ... CANCEL'),
  AlterModelSetMonitoring: notYet('ALTER MODEL ... SET MONITORING'),
  AlterModelStart: notYet('ALTER MODEL ... START'),
  AlterModelStop: notYet('ALTER MODEL ... STOP'),
  WaitForModel: notYet('WAIT FOR MODEL'),
  EvaluateModel: notYet('EVALUATE MODEL'),
  GrantOnModel: notYet('GRANT ... ON MODEL'),
  RevokeOnModel: notYet('REVOKE ... ON MODEL'),
};

export function runMlStatement(statement: MlStatement, text: string, context: StatementContext): Promise<void> {
  const handler = HANDLERS[statement.kind] as Handler<MlStatementKind>;
  return handler(statement, text, context);
}
