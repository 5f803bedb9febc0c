import { tokenize } from '../../src/sql/lexer.ts';
import type { Random } from './seeded-random.ts';

/**
 * Token-level mutations of valid ML statements: what a hurried user, a broken generator or an
 * attacker types. Seeds are split by modelgres's own lexer (they are valid, so it splits them as
 * PostgreSQL would); mutants are joined with spaces and never contain a NUL or a `;`, so each is
 * one statement of one Query message.
 */

const WRONG_NUMBERS = [
  '0', '-1', '-0', '1.5', '1e308', '1e-400', '99999999999999999999999999999', '9223372036854775808',
  '2147483648', '4294967296', '0x7fffffff', '0b101', '1_000', 'NaN', "'Infinity'", '00000000000000000001', '.', '1.2.3',
];
const WRONG_STRINGS = [
  "''", "'x'", "'reg:squarederror'", "'{\"ColumnSet\": }'", "'[]'", "'[{}]'", "'null'", "'../../etc/passwd'", "'/abs/model.onnx'",
  "'redshiftml-00000000000000000000'", "E'\\\\x00'", "$$dollar$$", "$t$tagged$t$", "'it''s'", "'unterminated", "U&'\\0041'",
  "'𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 你好'", "'\u200b'",
];
const WRONG_IDENTIFIERS = [
  '"Quoted Name"', '"with ""quote"""', '"', 'a'.repeat(70), '"' + 'é'.repeat(70) + '"', 'ñame', 'café', '_', 'pg_catalog.pg_class',
  'modelgres.model', 'a.b.c.d', 'select', 'null', 'default', 'model', 'version', '$1', '"\u0301"', 'x\u200by',
];
const PUNCTUATION = ['(', ')', ',', '.', '::', '[', ']', '=', '-', '+', '*', '/*', '*/', '--', "'", '"', '$$', '\\', '{', '}'];
const UNICODE = ['é', '👍', '\u200b', '\u202e', '\ufeff', 'Ω', '\u0000'.replace('\u0000', '\u0001'), '日本', 'ﬀ', '\u{10FFFF}'];

export interface Mutant {
  text: string;
  /** What was done, for the failure message. */
  how: string;
}

function tokens(seed: string): string[] {
  return tokenize(seed)
    .filter((t) => t.kind !== 'eof')
    .map((t) => t.text);
}

function literalKind(token: string): 'number' | 'string' | 'identifier' | 'other' {
  if (/^[0-9.]/.test(token)) return 'number';
  if (/^(E|U&)?'|^\$/.test(token)) return 'string';
  if (/^[A-Za-z_"]/.test(token)) return 'identifier';
  return 'other';
}

/** One mutant of one of `seeds`, with one to three mutations on top of each other. */
export function mutateStatement(rnd: Random, seeds: readonly string[], vocabulary: readonly string[]): Mutant {
  const seed = rnd.pick(seeds);
  let ts = tokens(seed);
  const hows: string[] = [];
  for (let n = 1 + (rnd.chance(0.4) ? 1 + rnd.int(2) : 0); n > 0; n--) {
    const i = rnd.int(Math.max(1, ts.length));
    const j = rnd.int(Math.max(1, ts.length));
    switch (rnd.int(10)) {
      case 0:
        ts.splice(i, 1 + (rnd.chance(0.2) ? 1 : 0));
        hows.push(`drop at ${i}`);
        break;
      case 1:
        [ts[i], ts[j]] = [ts[j], ts[i]];
        hows.push(`swap ${i}/${j}`);
        break;
      case 2:
        ts.splice(i, 0, ...ts.slice(i, i + 1 + rnd.int(3)));
        hows.push(`duplicate at ${i}`);
        break;
      case 3: {
        const kind = literalKind(ts[i] ?? '');
        const pool = kind === 'number' ? WRONG_NUMBERS : kind === 'string' ? WRONG_STRINGS : kind === 'identifier' ? WRONG_IDENTIFIERS : PUNCTUATION;
        ts[i] = rnd.pick(rnd.chance(0.7) ? pool : [...WRONG_NUMBERS, ...WRONG_STRINGS, ...WRONG_IDENTIFIERS]);
        hows.push(`wrong literal at ${i}`);
        break;
      }
      case 4:
        ts[i] = rnd.pick(['9'.repeat(1 + rnd.int(400)), `-${'9'.repeat(30)}`, `1e${rnd.int(100000)}`, `0.${'0'.repeat(350)}1`, `'${'9'.repeat(400)}'`]);
        hows.push(`huge number at ${i}`);
        break;
      case 5: {
        const t = ts[i] ?? '';
        const at = rnd.int(t.length + 1);
        ts[i] = t.slice(0, at) + rnd.pick(UNICODE) + t.slice(at);
        hows.push(`unicode in token ${i}`);
        break;
      }
      case 6:
        ts.splice(i, 0, rnd.pick(vocabulary));
        hows.push(`insert at ${i}`);
        break;
      case 7:
        ts[i] = rnd.pick(vocabulary);
        hows.push(`replace at ${i}`);
        break;
      case 8:
        ts.splice(i, 0, rnd.pick(PUNCTUATION));
        hows.push(`punctuation at ${i}`);
        break;
      default:
        ts = ts.slice(0, 1 + rnd.int(Math.max(1, ts.length)));
        hows.push('cut short');
        break;
    }
  }
  const text = ts.join(' ').replaceAll(';', ',').replaceAll('\0', '');
  return { text, how: `${hows.join(', ')} of: ${seed}` };
}

/** Every token of the seeds, and the grammar's keywords in other cases. */
export function vocabularyOf(seeds: readonly string[]): string[] {
  const words = new Set<string>();
  for (const seed of seeds) for (const t of tokens(seed)) words.add(t);
  for (const w of [...words]) if (/^[a-z_]+$/i.test(w)) words.add(w.toLowerCase()).add(w.toUpperCase());
  return [...words];
}
