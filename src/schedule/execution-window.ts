import { quoteIdent } from '../sql/identifiers.ts';

/** KEY types an execution compares with its watermark (CREATE INFERENCE SCHEDULE checks them). */
export const NUMBER_KEY_TYPES = new Set(['int2', 'int4', 'int8', 'numeric']);

/**
 * The SELECT giving the window's upper end, as text of the KEY's type, evaluated at the
 * execution's start in the owner's session ($1 is the DELAY). A time KEY ends at now − DELAY;
 * a date KEY at the last whole day before it, so a day is scored once it is over. A number KEY
 * (an id) ends at the largest one present: numbers have no clock to lag behind.
 */
export function windowEndSql(keyType: string, key: string, sourceSql: string): string {
  switch (keyType) {
    case 'timestamptz':
      return `SELECT (now() - $1::interval)::text`;
    case 'timestamp':
      return `SELECT (localtimestamp - $1::interval)::text`;
    case 'date':
      return `SELECT ((localtimestamp - $1::interval)::date - 1)::text`;
    default:
      return `SELECT max(${quoteIdent(key)})::text FROM (${sourceSql}) AS scheduled_source WHERE $1::interval IS NOT NULL`;
  }
}

/**
 * The rows of one execution: KEY in (start, end]. Both ends are literals of the KEY's type,
 * written into the text (not parameters) because scoring declares a cursor over it.
 */
export function windowSql(sourceSql: string, key: string, keyType: string, start: string | null, end: string): string {
  const k = quoteIdent(key);
  const literal = (v: string) => `${quoteLiteral(v)}::${keyType}`;
  const lower = start === null ? '' : `${k} > ${literal(start)} AND `;
  return `SELECT * FROM (${sourceSql}) AS scheduled_source WHERE ${lower}${k} <= ${literal(end)}`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
