import { SqlState } from '../../errors/sqlstate.ts';
import type { Token } from '../../sql/lexer.ts';
import type { DataType } from '../ast/data-type.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';
import { INTERNAL_TYPE_NAMES, TYPE_NAME_CONTINUATIONS } from './type-names.ts';

/**
 * A PostgreSQL type name with optional modifiers, resolved to the internal name:
 * `double precision` → float8, `numeric(10,2)` → numeric [10, 2], `timestamp with time zone`
 * → timestamptz, `pg_catalog.int4` → int4. Unknown names are kept folded for the handler to judge.
 */
export function parseDataType(ts: TokenStream): DataType {
  const first = ts.peek();
  if (first.kind !== 'identifier' && first.kind !== 'quoted-identifier') throw ts.fail();
  ts.next();
  let words = [first.value];
  if (ts.isPunctuation('.')) {
    ts.next();
    const part = ts.peek();
    if (part.kind !== 'identifier' && part.kind !== 'quoted-identifier') throw ts.fail();
    ts.next();
    // The catalog schema adds nothing; other schemas name user types and are kept.
    words = first.value === 'pg_catalog' ? [part.value] : [`${first.value}.${part.value}`];
  } else if (first.kind === 'identifier') {
    for (const word of TYPE_NAME_CONTINUATIONS[first.value] ?? []) {
      if (ts.acceptKeyword(word)) words.push(word);
    }
  }
  let modifiers = ts.isPunctuation('(') ? parseModifiers(ts) : [];
  if (first.kind === 'identifier' && (words[0] === 'time' || words[0] === 'timestamp')) {
    words.push(...parseTimeZoneClause(ts));
  }
  const spelled = words.join(' ');
  let name = first.kind === 'identifier' ? (INTERNAL_TYPE_NAMES[spelled] ?? spelled) : spelled;
  if (spelled === 'float' && first.kind === 'identifier' && modifiers.length === 1) {
    name = floatByPrecision(ts, modifiers[0], first);
    modifiers = [];
  }
  if (ts.isPunctuation('[')) {
    throw valueError(ts.sql, ts.peek(), SqlState.featureNotSupported, 'array types are not supported for model functions');
  }
  return { name, modifiers, text: ts.sql.slice(first.start, ts.previous().end) };
}

function parseModifiers(ts: TokenStream): number[] {
  ts.expectPunctuation('(');
  const modifiers: number[] = [];
  do {
    const token = ts.peek();
    if (token.kind !== 'integer') throw ts.fail();
    ts.next();
    modifiers.push(Number(token.value));
  } while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  return modifiers;
}

/** [ WITH | WITHOUT ] TIME ZONE after time or timestamp. */
function parseTimeZoneClause(ts: TokenStream): string[] {
  const which = ts.isKeyword('with') ? 'with' : ts.isKeyword('without') ? 'without' : null;
  if (!which) return [];
  ts.next();
  ts.expectKeyword('time');
  ts.expectKeyword('zone');
  return [which, 'time', 'zone'];
}

/** float(p) is real for p ≤ 24 and double precision up to 53, as PostgreSQL decides. */
function floatByPrecision(ts: TokenStream, precision: number, at: Token): string {
  if (precision < 1) throw valueError(ts.sql, at, SqlState.invalidParameterValue, 'precision for type float must be at least 1 bit');
  if (precision > 53) throw valueError(ts.sql, at, SqlState.invalidParameterValue, 'precision for type float must be less than 54 bits');
  return precision <= 24 ? 'float4' : 'float8';
}
