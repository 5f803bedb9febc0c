/** SQL text handling shared by the router and the ML statement parser. */
export type { Token, TokenKind } from './token.ts';
export { tokenize, scanToken } from './lexer.ts';
export { splitStatements, type StatementSpan } from './split-statements.ts';
export { firstWords } from './first-words.ts';
export { pgPosition, offsetOfCodePoint, positionInWhole } from './position.ts';
