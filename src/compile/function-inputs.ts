import type { IoPlan } from '../artifacts/index.ts';
import { baseTypeName } from '../artifacts/sql-type-kind.ts';
import { Unsupported } from './compile-target.ts';
import { sql } from './sql-expr.ts';
import { type Scalar, type Tensor, rows } from './symbolic-tensor.ts';

/** PostgreSQL's names for the parameter types, reduced to one spelling each. */
const CANONICAL: Record<string, string> = {
  smallint: 'int2', integer: 'int4', int: 'int4', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  float: 'float8', decimal: 'numeric', boolean: 'bool', character: 'bpchar', char: 'bpchar',
  'character varying': 'varchar', name: 'text', 'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz', 'time without time zone': 'time',
};

export function canonicalType(type: string): string {
  const base = baseTypeName(type);
  return CANONICAL[base] ?? base;
}

/**
 * Parameter $n as the model's float32 input, as the proxy makes it: `Math.fround(Number(text))`,
 * 't' 1, 'f' 0, NULL NaN. The Scalar's expr is a float8 whose float32 rounding is that value
 * (what trees compare); `exact` is the float4 itself when it comes without the overflow tests
 * roundToFloat32 needs (integers and bools never overflow float32).
 */
function float32Param(n: number, type: string, fast: FastPath): Scalar {
  const p = `$${n}`;
  const bound = fast.moderate ? MODERATE : undefined;
  const nan = !fast.noNaN;
  switch (type) {
    case 'float8':
      return { elem: 'float32', expr: sql('float8', { cheap: true })`${p}`, wide: true, nullable: true, nan, bound };
    case 'float4':
      return { elem: 'float32', expr: sql('float4', { cheap: true })`${p}`, nullable: true, nan, bound };
    case 'int2':
    case 'int4':
    case 'int8':
    case 'bool': {
      // int8 goes through float8 first, as Number(text) does, so a value beyond 2^53 rounds twice alike.
      const via = type === 'bool' ? '::int4::float8' : '::float8';
      return {
        elem: 'float32', expr: sql('float8', { cheap: true })`${p}${via}`, wide: true, nullable: true, nan: false,
        exact: sql('float4')`coalesce(${p}${via}::float4, 'NaN'::float4)`, bound: INTEGER_BOUNDS[type],
      };
    }
    case 'numeric':
      // numeric -> float8 is exact to the nearest double, as Number(text) is (beyond float8's
      // range PostgreSQL raises where the proxy would feed Infinity).
      return { elem: 'float32', expr: sql('float8')`${p}::float8`, wide: true, nullable: true, nan, bound };
    default:
      return { ...epochParam(n, type), elem: 'float32', wide: true };
  }
}

/**
 * What the fast path of a body may assume of its float arguments (float4, float8, numeric), the
 * body having tested them first (compile-model-function.ts):
 * - moderate: |x| <= 1e15 (and x = 0 or |x| >= 1e-15). With that bound every float32 step the
 *   graph takes is shown (by the bounds of the operands) not to overflow, so it is plain float4
 *   arithmetic; otherwise each step that could overflow rounds through roundToFloat32.
 * - noNaN: x is not NaN (NULL still may be). A tree split whose missing values go to its true
 *   branch is then one plain comparison instead of a comparison of -x (NaN needs the negation).
 */
export interface FastPath {
  moderate: boolean;
  noNaN: boolean;
}

export const GUARDED: FastPath = { moderate: false, noNaN: false };

const MODERATE = 1e15;
const INTEGER_BOUNDS: Record<string, number> = { int2: 32768, int4: 2147483648, int8: 9223372036854775808, bool: 1 };
/** Dates and times as epoch seconds: year 5874897 (date's last) is 1.9e14 seconds; infinities are not finite. */
const EPOCH_BOUND = 2e14;

/** The test of float argument $n that lets it take the fast path: NULL passes. */
export function fastPathTest(n: number, fast: FastPath): string {
  const tests = [
    ...(fast.noNaN ? [`$${n} <> 'NaN'`] : []),
    // ±Infinity, 0, or 1e-15 <= |x| <= 1e15
    ...(fast.moderate ? [`NOT (abs($${n}::float8) > 1e15 AND abs($${n}::float8) < 'Infinity'::float8) AND NOT (abs($${n}::float8) < 1e-15 AND $${n} <> 0)`] : []),
  ];
  return tests.length === 0 ? 'true' : `coalesce(${tests.join(' AND ')}, true)`;
}

/** Parameter $n as a float64 input: the number, or a date/time as epoch seconds; NULL is NaN. */
function float64Param(n: number, type: string, fast: FastPath): Scalar {
  const p = `$${n}`;
  const bound = fast.moderate ? MODERATE : undefined;
  const nan = !fast.noNaN;
  switch (type) {
    case 'float8':
      return { elem: 'float64', expr: sql('float8', { cheap: true })`${p}`, nullable: true, nan, bound };
    case 'float4':
      // The proxy reads the float4's text, so 0.1::float4 arrives as the double 0.1 (text that
      // extra_float_digits shapes: not IMMUTABLE).
      return { elem: 'float64', expr: sql('float8', { stable: true })`${p}::text::float8`, nullable: true, nan, bound };
    case 'int2': case 'int4': case 'int8': case 'numeric':
      return { elem: 'float64', expr: sql('float8', { cheap: type !== 'numeric' })`${p}::float8`, nullable: true, nan: type === 'numeric' && nan, bound: INTEGER_BOUNDS[type] ?? bound };
    case 'bool':
      return { elem: 'float64', expr: sql('float8', { cheap: true })`${p}::int4::float8`, nullable: true, nan: false, bound: 1 };
    default:
      return epochParam(n, type);
  }
}

/**
 * A date/time parameter as the seconds featureSelectExpression selects (src/snapshot/): a date
 * is midnight UTC, a timestamp read as UTC, a timestamptz's instant, a time since midnight.
 * timestamptz is measured from the epoch by subtraction, not extract(epoch from timestamptz),
 * which PostgreSQL marks STABLE: the subtraction is IMMUTABLE and gives the same exact seconds.
 */
function epochParam(n: number, type: string): Scalar {
  const p = `$${n}`;
  let expr;
  switch (type) {
    case 'date':
      expr = sql('float8')`extract(epoch from ${p}::timestamp)::float8`;
      break;
    case 'timestamp':
    case 'time':
      expr = sql('float8')`extract(epoch from ${p})::float8`;
      break;
    case 'timestamptz':
      expr = sql('float8')`CASE WHEN isfinite(${p}) THEN extract(epoch from ${p} - '1970-01-01 00:00:00+00'::timestamptz)::float8 WHEN ${p} > '1970-01-01 00:00:00+00'::timestamptz THEN 'Infinity'::float8 WHEN ${p} < '1970-01-01 00:00:00+00'::timestamptz THEN '-Infinity'::float8 END`;
      break;
    default:
      throw new Unsupported(`a parameter of type ${type}`);
  }
  return { elem: 'float64', expr, nullable: true, nan: false, bound: EPOCH_BOUND };
}

function textParam(n: number, type: string): Scalar {
  const p = `$${n}`;
  // bpchar keeps its padding in the text PostgreSQL sends (and the model saw in training);
  // a cast to text would strip it, so the spaces are put back.
  const expr = type === 'bpchar'
    ? sql('text')`coalesce(${p}::text || repeat(' ', octet_length(${p}) - octet_length(${p}::text)), '')`
    : sql('text')`coalesce(${p}::text, '')`;
  return { elem: 'string', expr };
}

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar']);
const TEMPORAL = new Set(['date', 'time', 'timestamp', 'timestamptz']);

/** Parameters whose fastPathTest the fast path needs (float4, float8, numeric fed as floats). */
export function floatParameters(parameterTypes: string[], plan: IoPlan | null): number[] {
  return parameterTypes.flatMap((t, j) => {
    const type = canonicalType(t);
    const fedAsFloat = plan === null || plan.inputs === 'single-tensor' || plan.inputTypes[j] === 'float32' || plan.inputTypes[j] === 'float64';
    return fedAsFloat && (type === 'float4' || type === 'float8' || type === 'numeric') ? [j + 1] : [];
  });
}

/** The graph's input tensors of a trained model: input j is parameter j ([N, 1]). */
export function trainedInputs(inputNames: string[], parameterTypes: string[], fast: FastPath): Map<string, Tensor> {
  if (inputNames.length !== parameterTypes.length) throw new Unsupported(`${inputNames.length} model inputs for ${parameterTypes.length} parameters`);
  return new Map(inputNames.map((name, j) => {
    const type = canonicalType(parameterTypes[j]);
    const s = TEXT_TYPES.has(type) ? textParam(j + 1, type) : TEMPORAL.has(type) ? epochParam(j + 1, type) : float32Param(j + 1, type, fast);
    return [name, rows([s])];
  }));
}

/** The graph's input tensors of an imported model, fed as its IoPlan says (build-feeds.ts). */
export function importedInputs(plan: IoPlan, parameterTypes: string[], fast: FastPath): Map<string, Tensor> {
  const types = parameterTypes.map(canonicalType);
  if (plan.inputs === 'single-tensor') {
    const cols = types.map((t, j) => (plan.inputType === 'float64' ? float64Param(j + 1, t, fast) : float32Param(j + 1, t, fast)));
    return new Map([[plan.inputName, rows(cols)]]);
  }
  return new Map(plan.inputNames.map((name, j) => {
    const p = `$${j + 1}`;
    const type = types[j];
    let s: Scalar;
    switch (plan.inputTypes[j]) {
      case 'float32': s = float32Param(j + 1, type, fast); break;
      case 'float64': s = float64Param(j + 1, type, fast); break;
      // No missing value in these: NULL is 0, false or '' (imported-models.md).
      case 'int64':
      case 'int32': {
        const sqlType = plan.inputTypes[j] === 'int64' ? 'int8' : 'int4';
        s = { elem: plan.inputTypes[j], expr: sql(sqlType)`coalesce(${p}${type === 'bool' ? '::int4' : ''}::${sqlType}, 0)` };
        break;
      }
      case 'bool': s = { elem: 'bool', expr: sql('bool')`coalesce(${p}, false)` }; break;
      case 'string': s = textParam(j + 1, type); break;
    }
    return [name, rows([s])];
  }));
}
