import { tokenize } from '../sql/lexer.ts';

const VIEWS = new Set(['stv_ml_model_info', 'svv_ml_model_info', 'svv_ml_model_privileges']);
/** Redshift's functions of models, called as name(...). */
const FUNCTIONS = new Set(['explain_model']);
const MENTION = /\b(stv_ml_model_info|svv_ml_model_info|svv_ml_model_privileges|explain_model)\b/i;

/**
 * Redshift users query STV_ML_MODEL_INFO and friends, and call EXPLAIN_MODEL, without a schema. Unqualified mentions (as
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
    if (t.kind !== 'identifier' || !(VIEWS.has(t.value) || FUNCTIONS.has(t.value))) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (prev && prev.text === '.') continue;
    // A view is a table name (never followed by "(" or "."), a function is always called.
    if (VIEWS.has(t.value) && next && (next.text === '.' || next.text === '(')) continue;
    if (FUNCTIONS.has(t.value) && next?.text !== '(') continue;
    out += `${sql.slice(last, t.start)}modelgres.${t.value}`;
    last = t.end;
  }
  return last === 0 ? null : out + sql.slice(last);
}
