/**
 * One lexical token of SQL text, following PostgreSQL's "Lexical Structure".
 *
 * `text` is the raw source slice; `value` is what the token means: identifiers folded and
 * truncated as PostgreSQL does, strings with their escapes decoded, numbers without underscores.
 * `start`/`end` are 0-based UTF-16 offsets into the text (use `pgPosition` for ErrorResponse).
 */
export type TokenKind =
  /** Unquoted identifier or keyword; value is lower-cased (ASCII only, as PostgreSQL does). */
  | 'identifier'
  /** "Quoted" or U&"quoted" identifier; value keeps its case. */
  | 'quoted-identifier'
  /** '...', E'...', U&'...', N'...' or $tag$...$tag$; value is the decoded string. */
  | 'string'
  /** B'0101' or X'1F'; value is PostgreSQL's internal form 'b0101' / 'x1F'. */
  | 'bit-string'
  /** Decimal, 0x, 0o or 0b integer; value is its decimal digits. */
  | 'integer'
  /** Decimal with a point and/or an exponent; value is the text without underscores. */
  | 'numeric'
  /** Positional parameter $n; value is n's digits. */
  | 'parameter'
  /** Operator: + - * / < > = ~ ! @ # % ^ & | ` ? and combinations, also => and := . */
  | 'operator'
  /** ( ) , ; [ ] . : and :: */
  | 'punctuation'
  /** End of input: start = end = text length. Always the last token. */
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}
