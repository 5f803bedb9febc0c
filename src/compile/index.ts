/**
 * Model functions compiled to SQL: an ONNX graph (a trained model's or an imported one) becomes
 * a PostgreSQL function body computing the same prediction inside PostgreSQL, so views,
 * triggers, PL/pgSQL and direct connections get the model's answer without the proxy.
 */
export { compileModelFunction } from './compile-model-function.ts';
export type { Compilation, CompiledBody, CompileTarget } from './compile-target.ts';
