import { BinaryOid } from '../protocol/binary-values.ts';
/**
 * Built-in type OIDs of the types a model can take or return, from the protocol's one table
 * (BinaryOid). Only these are named by typeNameOfOid: any other type is "oid n" to the trainer.
 */
const MODEL_TYPES = [
  'bool', 'int8', 'int2', 'int4', 'text', 'float4', 'float8', 'bpchar', 'varchar', 'date', 'time',
  'timestamp', 'timestamptz', 'numeric', 'jsonb', 'char',
] as const;
export const TypeOid: Record<string, number> = Object.fromEntries(MODEL_TYPES.map((name) => [name, BinaryOid[name]]));

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
