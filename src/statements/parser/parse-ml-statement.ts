import { firstWords } from '../../sql/split-statements.ts';
import type { MlStatement } from '../ast/ml-statement.ts';
import { MAX_FORM_WORDS, matchForm } from './ml-statement-forms.ts';
import { TokenStream } from './token-stream.ts';

/**
 * Parses one ML statement (one statement of splitStatements, with or without its `;`).
 * Throws ClientError: 42601 for syntax errors, 22023 for invalid values, 0A000 for Redshift ML
 * features not supported yet. Error positions are 1-based characters in `text`; a caller that
 * took `text` out of a longer query string adds the characters before it, as PostgreSQL
 * reports positions in the whole query string.
 */
export function parseMlStatement(text: string): MlStatement {
  const ts = new TokenStream(text);
  const form = matchForm(firstWords(text, MAX_FORM_WORDS));
  if (!form) throw ts.fail(ts.peek(), 'Not a modelgres statement: expected CREATE MODEL, SHOW MODEL, DROP MODEL, ALTER MODEL, WAIT FOR MODEL, EVALUATE MODEL, GRANT or REVOKE ... MODEL, or an INFERENCE SCHEDULE statement.');
  return form.parse(ts);
}
