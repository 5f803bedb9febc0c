import { firstWords } from '../sql/first-words.ts';

export type StatementClass = 'passthrough' | 'ml' | 'model-call';

/**
 * The leading words that make a statement an ML statement rather than PostgreSQL syntax.
 * GRANT/REVOKE ... MODEL are recognised by the word MODEL after the privilege.
 */
const ML_PREFIXES: readonly string[][] = [
  ['create', 'model'],
  ['create', 'or', 'replace', 'model'],
  ['create', 'external', 'model'],
  ['show', 'model'],
  ['drop', 'model'],
  ['alter', 'model'],
  ['wait', 'for', 'model'],
  ['evaluate', 'model'],
  ['grant', 'execute', 'on', 'model'],
  ['revoke', 'execute', 'on', 'model'],
  ['grant', 'create', 'model'],
  ['revoke', 'create', 'model'],
];

export function isMlStatementText(text: string): boolean {
  const words = firstWords(text, 4);
  return ML_PREFIXES.some((prefix) => prefix.every((w, i) => words[i] === w));
}
