import { describe, expect, test } from 'vitest';
import { tokenize } from '../../src/sql/lexer.ts';
import { ClientError } from '../../src/errors/client-error.ts';

const kinds = (sql: string) => tokenize(sql).map((t) => [t.kind, t.value]);
const values = (sql: string) => tokenize(sql).slice(0, -1).map((t) => t.value);

function lexFailure(sql: string): ClientError {
  try {
    tokenize(sql);
  } catch (e) {
    if (e instanceof ClientError) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('identifiers', () => {
  test('unquoted fold to lower case, quoted keep case with "" escapes', () => {
    expect(kinds('Foo "Bar" "a""b" _x1$ 日本')).toEqual([
      ['identifier', 'foo'],
      ['quoted-identifier', 'Bar'],
      ['quoted-identifier', 'a"b'],
      ['identifier', '_x1$'],
      ['identifier', '日本'],
      ['eof', ''],
    ]);
  });

  test('only ASCII letters fold, as PostgreSQL does in UTF-8', () => {
    expect(values('ÉCOLE Ab')).toEqual(['École', 'ab']);
  });

  test('U&"..." identifiers decode unicode escapes, with UESCAPE', () => {
    expect(values('U&"d\\0061t\\+000061" U&"d!0061t" UESCAPE \'!\'')).toEqual(['data', 'dat']);
    const t = tokenize('U&"d!0061t" UESCAPE \'!\' x');
    expect(t[0].text).toBe('U&"d!0061t" UESCAPE \'!\'');
    expect(t[1].value).toBe('x');
  });

  test('identifiers longer than 63 bytes are truncated like PostgreSQL', () => {
    const long = 'a'.repeat(70);
    expect(values(long)[0]).toBe('a'.repeat(63));
    expect(values('é'.repeat(40))[0]).toBe('é'.repeat(31));
  });

  test('zero-length quoted identifier is an error', () => {
    const e = lexFailure('select ""');
    expect(e.code).toBe('42601');
    expect(e.message).toBe('zero-length delimited identifier at or near """"');
    expect(e.position).toBe(8);
  });
});

describe('strings', () => {
  test('standard strings: doubled quote, backslash is literal', () => {
    expect(values("'it''s' 'a\\b' ''")).toEqual(["it's", 'a\\b', '']);
  });

  test('E strings decode backslash escapes', () => {
    expect(values("E'\\'' e'a\\nb\\tc' E'\\\\' E'\\x41\\101\\u0042\\U00000043' E'it''s' E'\\q'")).toEqual([
      "'",
      'a\nb\tc',
      '\\',
      'AAB' + 'C',
      "it's",
      'q',
    ]);
  });

  test('E string bytes form UTF-8 characters, surrogate escapes pair up', () => {
    expect(values("E'\\xc3\\xa9' E'\\uD83D\\uDE00'")).toEqual(['é', '😀']);
    expect(lexFailure("E'\\xff'").code).toBe('22021');
  });

  test('U& strings, N strings, bit strings', () => {
    expect(kinds("U&'d\\0061t\\+000061' N'x' B'0101' X'1F' b'' x'AbC'")).toEqual([
      ['string', 'data'],
      ['string', 'x'],
      ['bit-string', 'b0101'],
      ['bit-string', 'x1F'],
      ['bit-string', 'b'],
      ['bit-string', 'xAbC'],
      ['eof', ''],
    ]);
  });

  test('invalid unicode escape in U& string is a syntax error at the escape', () => {
    const e = lexFailure("select U&'ab\\00zz'");
    expect(e.code).toBe('42601');
    expect(e.position).toBe(13);
  });

  test('string continuation needs a newline between the pieces', () => {
    expect(values("'foo'\n  'bar'")).toEqual(['foobar']);
    expect(values("'foo' -- c\n'bar'")).toEqual(['foobar']);
    expect(tokenize("'foo' 'bar'").length).toBe(3);
    expect(values("E'a\\n'\n'\\t'")).toEqual(['a\n\t']);
  });

  test('dollar quotes, with tags, containing other tags and $$', () => {
    expect(values("$$it's$$ $fn$ a $$ b $x$ c $fn$ $_1$q$_1$")).toEqual(["it's", ' a $$ b $x$ c ', 'q']);
  });

  test('a $ inside an identifier is not a dollar quote', () => {
    expect(values('a$$b $1')).toEqual(['a$$b', '1']);
  });
});

describe('numbers', () => {
  test('integers, decimals, exponents, radix prefixes and underscores', () => {
    expect(kinds('42 3.5 .5 5. 1e10 1.5E-3 0x1F 0o17 0b101 1_000_000 0x_FF 1_000.000_1')).toEqual([
      ['integer', '42'],
      ['numeric', '3.5'],
      ['numeric', '.5'],
      ['numeric', '5.'],
      ['numeric', '1e10'],
      ['numeric', '1.5E-3'],
      ['integer', '31'],
      ['integer', '15'],
      ['integer', '5'],
      ['integer', '1000000'],
      ['integer', '255'],
      ['numeric', '1000.0001'],
      ['eof', ''],
    ]);
  });

  test('1..10 is an integer, then dots', () => {
    expect(tokenize('1..10').map((t) => t.text)).toEqual(['1', '.', '.10', '']);
  });

  test('trailing junk after a number is an error', () => {
    const e = lexFailure('select 123abc');
    expect(e.message).toBe('trailing junk after numeric literal at or near "123abc"');
    expect(e.position).toBe(8);
    expect(lexFailure('select 1_').code).toBe('42601');
    expect(lexFailure('select 0x').message).toBe('invalid hexadecimal integer at or near "0x"');
  });
});

describe('operators and punctuation', () => {
  test('multi-char operators, trailing +/- rule, comment starts cut operators', () => {
    expect(tokenize('a<=b =-1 @- !=  <>  *--x\n /').map((t) => t.text)).toEqual([
      'a', '<=', 'b', '=', '-', '1', '@-', '!=', '<>', '*', '/', '',
    ]);
    expect(tokenize('!=')[0].value).toBe('<>');
  });

  test('parameters and punctuation', () => {
    expect(tokenize('f($1, x[2])::int; a.b := c => d').map((t) => [t.kind, t.text])).toEqual([
      ['identifier', 'f'],
      ['punctuation', '('],
      ['parameter', '$1'],
      ['punctuation', ','],
      ['identifier', 'x'],
      ['punctuation', '['],
      ['integer', '2'],
      ['punctuation', ']'],
      ['punctuation', ')'],
      ['punctuation', '::'],
      ['identifier', 'int'],
      ['punctuation', ';'],
      ['identifier', 'a'],
      ['punctuation', '.'],
      ['identifier', 'b'],
      ['operator', ':='],
      ['identifier', 'c'],
      ['operator', '=>'],
      ['identifier', 'd'],
      ['eof', ''],
    ]);
  });
});

describe('comments and positions', () => {
  test('line and nested block comments are skipped', () => {
    expect(values('a -- x\n/* b /* c */ d */ e')).toEqual(['a', 'e']);
  });

  test('offsets are UTF-16 indexes into the text', () => {
    const sql = "select '😀', x";
    const x = tokenize(sql)[3];
    expect(x.value).toBe('x');
    expect(sql.slice(x.start, x.end)).toBe('x');
  });

  test.each([
    ["select 'abc", 'unterminated quoted string at or near "\'abc"', 8],
    ["select E'a\\'", 'unterminated quoted string at or near "E\'a\\\'"', 8],
    ['select "abc', 'unterminated quoted identifier at or near ""abc"', 8],
    ['select /* a /* b */ c', 'unterminated /* comment at or near "/* a /* b */ c"', 8],
    ['select $x$ abc $$', 'unterminated dollar-quoted string at or near "$x$ abc $$"', 8],
    ["select B'01", 'unterminated bit string literal at or near "B\'01"', 8],
    ["select X'01", 'unterminated hexadecimal string literal at or near "X\'01"', 8],
    ["select 'é😀', 'abc", 'unterminated quoted string at or near "\'abc"', 14],
  ])('%s fails like PostgreSQL', (sql, message, position) => {
    const e = lexFailure(sql);
    expect(e.code).toBe('42601');
    expect(e.message).toBe(message);
    expect(e.position).toBe(position);
  });
});
