import { beforeAll, describe, expect, test } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import { splitStatements } from '../../src/sql/split-statements.ts';
import { skipTrivia } from '../../src/sql/characters.ts';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

describe('splitStatements', () => {
  test('splits at top-level semicolons, trims blanks, drops empty statements', () => {
    expect(texts('select 1; select 2 ;;  ; \n select 3\n')).toEqual(['select 1', 'select 2', 'select 3']);
    expect(texts('')).toEqual([]);
    expect(texts(' ; ;\n')).toEqual([]);
    expect(texts('-- only a comment\n; /* and another */')).toEqual([]);
  });

  test('spans point into the original text', () => {
    const sql = "  select 'é😀';\n\tselect 2 ";
    for (const s of splitStatements(sql)) expect(sql.slice(s.start, s.end)).toBe(s.text);
    expect(splitStatements(sql).map((s) => s.start)).toEqual([2, 17]);
  });

  test('comments stay in the statement text', () => {
    expect(texts('/* hint */ select 1 -- trailing\n; select 2')).toEqual(['/* hint */ select 1 -- trailing', 'select 2']);
  });

  test.each([
    ["select ';'; select 2", ["select ';'", 'select 2']],
    ["select 'it''s; here'; x", ["select 'it''s; here'", 'x']],
    ["select 'a\\'; x", ["select 'a\\'", 'x']], // backslash is literal in standard strings
    ["select E'\\';'; x", ["select E'\\';'", 'x']],
    ["select e'a\\\\'; x", ["select e'a\\\\'", 'x']],
    ["select E'a'\n'\\';'; x", ["select E'a'\n'\\';'", 'x']], // continuation stays in E mode
    ['select ";"; x', ['select ";"', 'x']],
    ['select "a"";"; x', ['select "a"";"', 'x']],
    ["select U&'\\;'; x", ["select U&'\\;'", 'x']],
    ["select B'01'; select X';'", ["select B'01'", "select X';'"]],
    ['select $$;$$; x', ['select $$;$$', 'x']],
    ['select $t$ $$ ; $$ $t$; x', ['select $t$ $$ ; $$ $t$', 'x']],
    ['select $a$;$b$;$a$; x', ['select $a$;$b$;$a$', 'x']],
    ['select a$$b; x', ['select a$$b', 'x']],
    ['select $1; x', ['select $1', 'x']],
    ['select 1 -- ;\n; x', ['select 1 -- ;', 'x']],
    ['select 1 /* ; /* ; */ ; */; x', ['select 1 /* ; /* ; */ ; */', 'x']],
    ['select (1;2); x', ['select (1;2)', 'x']],
    ['select 1e5; select 0x1F', ['select 1e5', 'select 0x1F']],
  ])('%j', (sql, expected) => {
    expect(texts(sql)).toEqual(expected);
  });

  test('SQL-standard routine bodies keep their semicolons (psql heuristic)', () => {
    const body =
      'create or replace function f(x int) returns int language sql begin atomic select 1; select case when x > 0 then 1 else 2 end; end';
    expect(texts(`${body}; select 2`)).toEqual([body, 'select 2']);
    const proc = 'CREATE PROCEDURE p() BEGIN ATOMIC insert into t values (1); END';
    expect(texts(`${proc};select 3`)).toEqual([proc, 'select 3']);
    // BEGIN in other statements is a transaction start, not a body.
    expect(texts('begin; select 1; end')).toEqual(['begin', 'select 1', 'end']);
  });

  test('unterminated literals run to the end without throwing', () => {
    expect(texts("select 'abc; select 2")).toEqual(["select 'abc; select 2"]);
    expect(texts('select /* x; select 2')).toEqual(['select /* x; select 2']);
    expect(texts('select $q$ x; select 2')).toEqual(['select $q$ x; select 2']);
  });

  describe('agrees with PostgreSQL parser on statement boundaries', () => {
    beforeAll(async () => {
      await loadModule();
    });

    const samples = [
      "select 'a;b', E'\\';', \"x;\"\"\" from t; insert into t values ($$;$$, $f$ $$; $f$)",
      "select 1; /* c; /* d; */ */ select 'é😀;'; select U&'\\0061;' ; select 2",
      'create function f() returns int language sql begin atomic select 1; select 2; end; select 3',
      "select E'x'\n'\\';'; select 4",
      'select 1_000; select 0x1F;select .5e-3',
    ];
    /** Each statement's text as PostgreSQL's parser delimits it. */
    function postgresTexts(sql: string): string[] {
      const utf8 = Buffer.from(sql, 'utf8');
      return (parseSync(sql).stmts ?? []).map((s) => {
        const start = s.stmt_location ?? 0;
        const end = s.stmt_len ? start + s.stmt_len : utf8.length;
        return utf8.subarray(start, end).toString('utf8').trim();
      });
    }

    test.each(samples)('%j', (sql) => {
      // PostgreSQL's statement location skips leading comments; ours keeps them in the text.
      expect(texts(sql).map((t) => t.slice(skipTrivia(t, 0)))).toEqual(postgresTexts(sql));
    });

    // How fast is a question for bench/; here, that a large input still splits as PostgreSQL does.
    test('a large input (~1.4 MB, 20,000 statements)', () => {
      const sql = "insert into t values (1, 'a;b', E'\\'', $$x;y$$, \"q\") -- c\n; /* x */ ".repeat(20_000);
      const ours = texts(sql).map((t) => t.slice(skipTrivia(t, 0)));
      expect(ours.length).toBe(20_000);
      expect(ours).toEqual(postgresTexts(sql));
    });
  });
});
