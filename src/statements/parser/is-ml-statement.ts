import { firstWords } from '../../sql/split-statements.ts';
import { MAX_FORM_WORDS, ML_STATEMENT_FORMS, matchForm } from './ml-statement-forms.ts';

const FIRST_WORDS = new Set(ML_STATEMENT_FORMS.map((form) => form.words[0]));

/**
 * Whether modelgres answers this statement itself (CREATE [OR REPLACE] MODEL, SHOW/DROP/ALTER/
 * EVALUATE MODEL, WAIT FOR MODEL, GRANT/REVOKE ... MODEL). Looks only at the first words, so it
 * is cheap enough for every statement; parseMlStatement does the rest.
 */
export function isMlStatement(text: string): boolean {
  // Most statements are settled by their first word (SELECT, INSERT, ...).
  if (!FIRST_WORDS.has(firstWords(text, 1)[0] ?? '')) return false;
  return matchForm(firstWords(text, MAX_FORM_WORDS)) !== undefined;
}
