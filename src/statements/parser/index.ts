/** The ML statement parser: classify cheaply with isMlStatement, then parseMlStatement. */
export { parseMlStatement } from './parse-ml-statement.ts';
export { isMlStatement } from './is-ml-statement.ts';
export { ML_STATEMENT_FORMS } from './ml-statement-forms.ts';
