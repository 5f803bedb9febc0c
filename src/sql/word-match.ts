import { lowerAscii } from './char-classes.ts';

/** Whether sql[start, end) spells `lowerWord` ignoring ASCII case, without allocating. */
export function wordIs(sql: string, start: number, end: number, lowerWord: string): boolean {
  if (end - start !== lowerWord.length) return false;
  for (let i = 0; i < lowerWord.length; i++) {
    if (lowerAscii(sql.charCodeAt(start + i)) !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}
