import type { QualifiedName } from '../ast/qualified-name.ts';
import type { TokenStream } from './token-stream.ts';

/** An identifier, quoted or not, already folded by the lexer. */
export function parseIdentifier(ts: TokenStream): string {
  const token = ts.peek();
  if (token.kind !== 'identifier' && token.kind !== 'quoted-identifier') throw ts.fail();
  ts.next();
  return token.value;
}

/** name | schema.name — a third part (database.schema.name) is refused like PostgreSQL does. */
export function parseQualifiedName(ts: TokenStream): QualifiedName {
  const first = parseIdentifier(ts);
  if (!ts.isPunctuation('.')) return { name: first };
  ts.next();
  const second = parseIdentifier(ts);
  if (ts.isPunctuation('.')) throw ts.fail();
  return { schema: first, name: second };
}

/** A string constant's decoded value. */
export function parseString(ts: TokenStream): string {
  const token = ts.peek();
  if (token.kind !== 'string') throw ts.fail();
  ts.next();
  return token.value;
}

/** ON | OFF (also TRUE/FALSE, as PostgreSQL's boolean options accept). */
export function parseOnOff(ts: TokenStream): boolean {
  const token = ts.peek();
  if (token.kind === 'identifier') {
    if (token.value === 'on' || token.value === 'true') return ts.next(), true;
    if (token.value === 'off' || token.value === 'false') return ts.next(), false;
  }
  throw ts.fail();
}
