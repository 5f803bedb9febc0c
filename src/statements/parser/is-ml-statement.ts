import { firstWords } from '../../sql/first-words.ts';
import { MAX_FORM_WORDS, matchForm } from './ml-statement-forms.ts';

/**
 * Whether modelgres answers this statement itself (CREATE [OR REPLACE] MODEL, SHOW/DROP/ALTER/
 * EVALUATE MODEL, WAIT FOR MODEL, GRANT/REVOKE ... MODEL). Looks only at the first words, so it
 * is cheap enough for every statement; parseMlStatement does the rest.
 */
export function isMlStatement(text: string): boolean {
  return matchForm(firstWords(text, MAX_FORM_WORDS)) !== undefined;
}
