import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import { endpointUrl, NO_ENDPOINTS } from '../../remote/endpoints.ts';
import { remotePlan } from '../../remote/remote-plan.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { pgArray } from '../../sql/pg-array.ts';
import type { CreateRemoteModel } from '../ast/create-remote-model.ts';
import { modelKey } from './model-target.ts';

/** What a remote model may return: what an endpoint's one CSV value per row can be read as. */
const RETURN_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'text', 'varchar', 'bpchar']);
const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);

/**
 * Why PostgreSQL cannot evaluate the function itself: the model function's body raises 0A000
 * with this (sql/060 write_model_function, 'unsupported').
 */
const NOT_IN_POSTGRESQL = (endpoint: string) =>
  `it is a remote model: its rows go to the endpoint "${endpoint}" over HTTP, which only the modelgres proxy can do. Call it through modelgres, in a statement it evaluates (not a view, trigger or function body)`;

/**
 * CREATE [OR REPLACE] MODEL m FUNCTION f (types) RETURNS type SAGEMAKER 'endpoint': a version
 * READY at once with no artifact; its io_plan says which endpoint evaluates it (src/remote/). The
 * endpoint must be known now (a flag of this proxy, or the catalog's), so a typo is found here, not
 * at the first call.
 */
export async function createRemoteModel(s: CreateRemoteModel, _t: string, context: StatementContext): Promise<void> {
  await endpointUrl(context.settings.remoteEndpoints ?? NO_ENDPOINTS, s.endpoint);
  const [schema, name] = await modelKey(s.model, context);
  const parameterTypes = s.function.parameterTypes.map((t) => t.name);
  const returnType = s.returns.name;
  if (!RETURN_TYPES.has(returnType)) {
    throw new ClientError(SqlState.invalidParameterValue, `a remote model cannot return ${returnType}`, {
      hint: 'An endpoint answers one CSV value a row: use RETURNS float8, int4, numeric, bool or text.',
    });
  }
  if (s.targetModel === '') {
    throw new ClientError(SqlState.invalidParameterValue, `the model of SAGEMAKER '${s.endpoint}':'' is empty`, {
      hint: "Name the model a multi-model endpoint serves, as in SAGEMAKER 'endpoint':'model.tar.gz', or leave out :'model'.",
    });
  }
  const plan = remotePlan(s.endpoint, s.targetModel, s.maxBatchRows);
  // As SHOW MODEL's Artifact row shows it: Redshift's own spelling.
  const source = s.targetModel === undefined ? s.endpoint : `${s.endpoint}:${s.targetModel}`;
  const spec = {
    iamRole: s.iamRole ? (s.iamRole.kind === 'Default' ? 'default' : s.iamRole.arn) : undefined,
    artifact: source,
    inferenceType: 'Remote',
    maxBatchRows: plan.maxBatchRows,
  };
  await context.upstream.query(
    `SELECT * FROM modelgres.import_model(current_user, $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9::jsonb, $10,
       'IMPORTED', $11, NULL, $12::jsonb, NULL, 'SAGEMAKER', NULL, NULL, NULL, $13::jsonb, NULL)`,
    [
      schema,
      name,
      s.function.name.schema ?? schema,
      s.function.name.name,
      pgArray(parameterTypes.map((_, i) => `x${i + 1}`)),
      pgArray(parameterTypes),
      returnType,
      NUMBER_TYPES.has(returnType) ? 'REGRESSION' : 'CLASSIFICATION',
      JSON.stringify(spec),
      s.orReplace ? 'true' : 'false',
      source,
      JSON.stringify(plan),
      JSON.stringify({ unsupported: NOT_IN_POSTGRESQL(s.endpoint) }),
    ],
  );
  if (context.upstream.transactionStatus() === 'I') await context.catalogChanged();
  context.send(commandComplete('CREATE MODEL'));
}
