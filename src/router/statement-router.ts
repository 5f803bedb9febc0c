import { splitStatements, type StatementSpan } from '../sql/split-statements.ts';
import { isMlStatementText, type StatementClass } from './classify-statement.ts';
import { ModelFunctionNames } from './model-function-names.ts';

export interface ClassifiedStatement extends StatementSpan {
  kind: StatementClass;
}

/**
 * Decides, for each client query, whether it can go to PostgreSQL as it came. Most traffic is
 * settled by two substring tests and never split: only text that mentions MODEL or a model
 * function is split into statements and classified one by one.
 */
export class StatementRouter {
  readonly functions = new ModelFunctionNames();

  /** True when the query text can be forwarded untouched. */
  isPassthrough(sql: string): boolean {
    return !mentionsModel(sql) && !this.functions.mayBeCalledIn(sql);
  }

  classify(sql: string): ClassifiedStatement[] {
    return splitStatements(sql).map((span) => ({ ...span, kind: this.classifyOne(span.text) }));
  }

  classifyOne(text: string): StatementClass {
    if (isMlStatementText(text)) return 'ml';
    if (this.functions.mayBeCalledIn(text)) return 'model-call';
    return 'passthrough';
  }
}

/** "model" in any letter case, without allocating a lower-cased copy of a large query. */
function mentionsModel(sql: string): boolean {
  return /model/i.test(sql);
}
