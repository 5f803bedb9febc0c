import { isMlStatement } from '../statements/parser/is-ml-statement.ts';

export type StatementClass = 'passthrough' | 'ml' | 'model-call';

/** ML statements are recognised by the parser's own table of statement forms. */
export function isMlStatementText(text: string): boolean {
  return isMlStatement(text);
}
