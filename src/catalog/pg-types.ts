/** Built-in type OIDs (pg_type.dat) of the types a model can take or return. */
export const TypeOid: Record<string, number> = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
  char: 18,
};

const NAME_OF_OID = new Map(Object.entries(TypeOid).map(([name, oid]) => [oid, name]));

export function typeNameOfOid(oid: number): string | undefined {
  return NAME_OF_OID.get(oid);
}

export const FEATURE_TYPES = new Set([
  'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'char', 'bpchar', 'varchar', 'text',
  'date', 'time', 'timestamp', 'timestamptz',
]);

export const TARGET_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'char', 'bpchar', 'varchar', 'text']);

export const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);
