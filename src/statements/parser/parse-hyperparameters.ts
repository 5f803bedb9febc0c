import { SqlState } from '../../errors/sqlstate.ts';
import type { Token } from '../../sql/lexer.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

/** One `key 'value'` of DEFAULT EXCEPT, with its tokens so validation can point at them. */
export interface HyperparameterEntry {
  readonly key: string;
  readonly value: string;
  readonly keyToken: Token;
  readonly valueToken: Token;
}

/**
 * After HYPERPARAMETERS: DEFAULT [ EXCEPT ( key 'value' [, ...] ) ]. Values are quoted strings as
 * in Redshift; a bare number is accepted too. Keys are case-insensitive and may not repeat.
 */
export function parseHyperparameters(ts: TokenStream): HyperparameterEntry[] {
  ts.expectKeyword('default');
  if (!ts.acceptKeyword('except')) return [];
  const entries: HyperparameterEntry[] = [];
  ts.expectPunctuation('(');
  do {
    const keyToken = ts.peek();
    if (keyToken.kind !== 'identifier' && keyToken.kind !== 'quoted-identifier') throw ts.fail();
    ts.next();
    const key = keyToken.value.toLowerCase();
    const valueToken = ts.peek();
    if (valueToken.kind !== 'string' && valueToken.kind !== 'integer' && valueToken.kind !== 'numeric') throw ts.fail();
    ts.next();
    if (entries.some((e) => e.key === key)) {
      throw valueError(ts.sql, keyToken, SqlState.syntaxError, 'conflicting or redundant options');
    }
    entries.push({ key, value: valueToken.value, keyToken, valueToken });
  } while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  return entries;
}
