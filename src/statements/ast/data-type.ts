/** A type as written in FUNCTION f (...) or RETURNS, resolved to PostgreSQL's internal name. */
export interface DataType {
  /** Internal name: int2 int4 int8 float4 float8 numeric varchar bpchar text bool date time timetz timestamp timestamptz, or the folded name of any other type. */
  readonly name: string;
  /** Type modifiers as written: numeric(10,2) → [10, 2], varchar(20) → [20]. */
  readonly modifiers: readonly number[];
  /** The source text of the type, e.g. 'double precision'. */
  readonly text: string;
}
