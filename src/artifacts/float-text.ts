/** PostgreSQL's spelling of the special float values; finite numbers as JS prints them. */
export function float8Text(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/**
 * The shortest decimal that reads back as the same float32, as PostgreSQL prints a float4:
 * 0.1f is '0.1', not the '0.10000000149011612' its float64 value would print.
 */
export function float4Text(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return float8Text(f);
  for (let digits = 1; digits <= 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return String(Number(text));
  }
  return String(f);
}
