/**
 * What a PostgreSQL type is, as far as feeding and reading a model goes.
 * - integer, float: numbers (text as PostgreSQL prints them, 'NaN' and 'Infinity' included);
 * - epoch: date and time types, which the proxy sends as epoch seconds (featureSelectExpression);
 * - bool: 't' / 'f'; text: the text as is; json: the probabilities of a classifier.
 */
export type SqlTypeKind = 'integer' | 'float' | 'epoch' | 'bool' | 'text' | 'json';

const KINDS: Record<string, SqlTypeKind> = {
  int2: 'integer', int4: 'integer', int8: 'integer',
  smallint: 'integer', integer: 'integer', int: 'integer', bigint: 'integer',
  float4: 'float', float8: 'float', numeric: 'float',
  real: 'float', 'double precision': 'float', decimal: 'float', float: 'float',
  date: 'epoch', timestamp: 'epoch', timestamptz: 'epoch', time: 'epoch',
  bool: 'bool', boolean: 'bool',
  text: 'text', varchar: 'text', bpchar: 'text', char: 'text', name: 'text',
  'character varying': 'text', character: 'text',
  json: 'json', jsonb: 'json',
};

/** The kind of a type name, ignoring case and a type modifier ('varchar(20)', 'numeric(10,2)'). */
export function sqlTypeKind(type: string): SqlTypeKind | undefined {
  return KINDS[baseTypeName(type)];
}

export function baseTypeName(type: string): string {
  return type.trim().toLowerCase().replace(/\s*\(.*$/, '').replace(/^pg_catalog\./, '');
}
