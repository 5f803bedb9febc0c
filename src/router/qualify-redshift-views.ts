import { tokenize } from '../sql/lexer.ts';

const VIEWS = new Set(['stv_ml_model_info', 'svv_ml_model_info', 'svv_ml_model_privileges']);
const MENTION = /\b(stv_ml_model_info|svv_ml_model_info|svv_ml_model_privileges)\b/i;

/**
 * Redshift users query STV_ML_MODEL_INFO and friends without a schema. Unqualified mentions (as
 * identifiers, never inside strings or comments) become modelgres.<view>; null when none.
 */
export function qualifyRedshiftViews(sql: string): string | null {
  if (!MENTION.test(sql)) return null;
  let tokens;
  try {
    tokens = tokenize(sql);
  } catch {
    return null; // PostgreSQL will report the lexical error
  }
  let out = '';
  let last = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'identifier' || !VIEWS.has(t.value)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if ((prev && prev.text === '.') || (next && (next.text === '.' || next.text === '('))) continue;
    out += `${sql.slice(last, t.start)}modelgres.${t.value}`;
    last = t.end;
  }
  return last === 0 ? null : out + sql.slice(last);
}
