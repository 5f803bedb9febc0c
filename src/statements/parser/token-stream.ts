import { tokenize, type Token } from '../../sql/lexer.ts';
import { syntaxError } from './syntax-error.ts';

/**
 * A cursor over the tokens of one statement. Keywords are unquoted identifiers compared by
 * folded value, so `"model"` (quoted) is a name and never the keyword MODEL.
 */
export class TokenStream {
  readonly sql: string;
  private readonly tokens: Token[];
  private index = 0;

  constructor(sql: string) {
    this.sql = sql;
    this.tokens = tokenize(sql);
  }

  /** Every token of the statement, `eof` last. */
  all(): readonly Token[] {
    return this.tokens;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }

  /** The token just consumed. */
  previous(): Token {
    return this.tokens[Math.max(this.index - 1, 0)];
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** Whether the token `ahead` is the unquoted keyword `word` (lower case). */
  isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'identifier' && token.value === word;
  }

  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.index++;
    return true;
  }

  expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.fail();
    return this.next();
  }

  isPunctuation(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'punctuation' && token.text === text;
  }

  acceptPunctuation(text: string): boolean {
    if (!this.isPunctuation(text)) return false;
    this.index++;
    return true;
  }

  expectPunctuation(text: string): Token {
    if (!this.isPunctuation(text)) throw this.fail();
    return this.next();
  }

  /** The statement ends here: an optional `;`, then nothing. */
  expectEnd(): void {
    this.acceptPunctuation(';');
    if (this.peek().kind !== 'eof') throw this.fail();
  }

  /** A syntax error at the current token (or the given one). */
  fail(token: Token = this.peek(), hint?: string): Error {
    return syntaxError(this.sql, token, hint ? { hint } : {});
  }
}
