import { convertXgboostFile, planImportedModel, readModelFile, type IoPlan } from '../../artifacts/index.ts';
import { compileVersionBodies } from '../../compile/version-bodies.ts';
import { NUMERIC_TYPES } from '../../catalog/pg-types.ts';
import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { inputKindOf } from '../../training/index.ts';
import type { FeatureType } from '../../training/types.ts';
import type { CreateModelFromArtifact } from '../ast/create-model-from-artifact.ts';
import { pgArray } from '../../sql/pg-array.ts';
import { remotePlanOf } from '../../remote/remote-plan.ts';
import { modelKey } from './model-target.ts';

interface Artifact {
  onnx: string; // bytea as PostgreSQL's hex text
  ioPlan: IoPlan | null;
  classes: string | null;
  problemType: string;
  modelType: string | null;
  objective: string | null;
  metric: string | null;
  metricValue: string | null;
  parameterNames: string[];
  source: 'COPIED' | 'IMPORTED';
}

/**
 * CREATE [OR REPLACE] MODEL m FROM 'job_name' | 'file.onnx' FUNCTION f(types) RETURNS type: a
 * version READY at once, on an artifact trained before (the dated copy of Redshift users) or an
 * ONNX file from the proxy's model directory. Nothing is registered unless the artifact fits.
 */
export async function createModelFromArtifact(s: CreateModelFromArtifact, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const parameterTypes = s.function.parameterTypes.map((t) => t.name);
  const returnType = s.returns.name;
  const artifact =
    s.artifact.kind === 'JobName'
      ? await copiedArtifact(context, s.artifact.jobName, parameterTypes, returnType)
      : await importedArtifact(context, s.artifact.path, parameterTypes, returnType);
  const bodies = compileVersionBodies({
    onnx: Buffer.from(artifact.onnx.slice(2), 'hex'),
    ioPlan: artifact.ioPlan,
    classes: artifact.classes ? (JSON.parse(artifact.classes) as Array<string | number | boolean>) : null,
    problemType: artifact.problemType,
    parameterTypes,
    returnType,
  });
  const spec = {
    iamRole: s.iamRole ? (s.iamRole.kind === 'Default' ? 'default' : s.iamRole.arn) : undefined,
    s3Bucket: s.settings.s3Bucket,
    kmsKeyId: s.settings.kmsKeyId,
    artifact: s.artifact.kind === 'JobName' ? s.artifact.jobName : s.artifact.path,
    inferenceType: 'Local',
  };
  await context.upstream.query(
    `SELECT * FROM modelgres.import_model(current_user, $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9::jsonb, $10,
       $11, $12, $13::bytea, $14::jsonb, $15::jsonb, $16, $17, $18, $19::float8, $20::jsonb, $21::jsonb)`,
    [
      schema,
      name,
      s.function.name.schema ?? schema,
      s.function.name.name,
      pgArray(artifact.parameterNames),
      pgArray(parameterTypes),
      returnType,
      artifact.problemType,
      JSON.stringify(spec),
      s.orReplace ? 'true' : 'false',
      artifact.source,
      s.artifact.kind === 'JobName' ? s.artifact.jobName : s.artifact.path,
      artifact.onnx,
      artifact.ioPlan ? JSON.stringify(artifact.ioPlan) : null,
      artifact.classes,
      artifact.modelType,
      artifact.objective,
      artifact.metric,
      artifact.metricValue,
      JSON.stringify(bodies.value),
      bodies.probabilities ? JSON.stringify(bodies.probabilities) : null,
    ],
  );
  if (context.upstream.transactionStatus() === 'I') await context.catalogChanged();
  context.send(commandComplete('CREATE MODEL'));
}

/** A trained version's artifact, read as the caller (who must be allowed to call that model). */
async function copiedArtifact(context: StatementContext, jobName: string, parameterTypes: string[], returnType: string): Promise<Artifact> {
  const r = await context.upstream.query(
    `SELECT onnx, io_plan::text, classes::text, problem_type, model_type, objective, metric, metric_value,
            array_to_string(parameter_names, ','), array_to_string(parameter_types, ','), return_type
       FROM modelgres.model_artifacts WHERE job_name = $1`,
    [jobName],
  );
  const row = r.rows[0];
  if (!row) {
    const pending = await context.upstream.query('SELECT state FROM modelgres.model_versions WHERE job_name = $1', [jobName]);
    if (pending.rows[0]) {
      throw new ClientError(SqlState.objectNotInPrerequisiteState, `the model of job '${jobName}' is ${pending.rows[0][0]}, not READY`, {
        hint: `WAIT FOR MODEL shows when it is done.`,
      });
    }
    throw new ClientError(SqlState.undefinedObject, `no trained model has the job name '${jobName}'`, {
      hint: 'SHOW MODEL m shows the job name of a model you can use (AutoML Job Name or Training Job Name).',
    });
  }
  const [onnx, ioPlan, classes, problemType, modelType, objective, metric, metricValue, names, types, sourceReturn] = row;
  if (problemType === 'FORECAST') {
    throw new ClientError(SqlState.featureNotSupported, `the model of job '${jobName}' is a FORECAST model: it has forecast rows, not a function to copy`, {
      hint: 'Train another version with CREATE MODEL ... MODEL_TYPE FORECAST, or read its rows with SELECT FORECAST(m).',
    });
  }
  const remote = remotePlanOf(ioPlan ? JSON.parse(ioPlan) : null);
  if (remote) {
    throw new ClientError(SqlState.featureNotSupported, `the model of job '${jobName}' is a remote model (SAGEMAKER '${remote.endpoint}'): it has no artifact to copy`, {
      hint: `Declare the copy as the original was: CREATE MODEL ... FUNCTION ... RETURNS ... SAGEMAKER '${remote.endpoint}'.`,
    });
  }
  const sourceTypes = types!.split(',');
  if (sourceTypes.length !== parameterTypes.length) {
    throw new ClientError(
      SqlState.invalidParameterValue,
      `FUNCTION declares ${parameterTypes.length} parameter types, but the model of job '${jobName}' takes ${sourceTypes.length} (${sourceTypes.join(', ')})`,
    );
  }
  if (!ioPlan) {
    sourceTypes.forEach((t, i) => {
      if (inputKindOf(t as FeatureType) !== inputKindOf(parameterTypes[i] as FeatureType)) {
        throw new ClientError(
          SqlState.invalidParameterValue,
          `parameter ${i + 1} is declared ${parameterTypes[i]}, but the model of job '${jobName}' takes ${t} there`,
          { hint: 'Numbers and bools may stand for each other; text, dates and times must keep their kind.' },
        );
      }
    });
  }
  const classification = problemType !== 'REGRESSION';
  if (classification ? returnType !== sourceReturn && !['text', 'varchar'].includes(returnType) : !NUMERIC_TYPES.has(returnType) || returnType.startsWith('int')) {
    throw new ClientError(
      SqlState.invalidParameterValue,
      `RETURNS ${returnType} cannot hold what the model of job '${jobName}' predicts (${sourceReturn})`,
      { hint: classification ? `Use RETURNS ${sourceReturn} or text.` : 'Use RETURNS float8, float4 or numeric.' },
    );
  }
  return {
    onnx: onnx!,
    ioPlan: ioPlan ? (JSON.parse(ioPlan) as IoPlan) : null,
    classes,
    problemType: problemType!,
    modelType,
    objective,
    metric,
    metricValue,
    parameterNames: names!.split(','),
    source: 'COPIED',
  };
}

/** An ONNX or XGBoost file under the model directory, checked against the declared function before anything is stored. */
async function importedArtifact(context: StatementContext, path: string, parameterTypes: string[], returnType: string): Promise<Artifact> {
  const file = await readModelFile(context.settings.modelDir, path, context.settings.maxModelBytes);
  // An XGBoost model (a .tar.gz or a JSON file) is converted to ONNX here, then planned as any ONNX file.
  const xgboost = convertXgboostFile(file, path, context.settings.maxModelBytes);
  const bytes = xgboost?.onnx ?? file;
  const plan = await planImportedModel(bytes, parameterTypes, returnType);
  const labels = plan.output.kind === 'label' ? plan.output.classLabels : undefined;
  const withProbabilities = plan.output.kind === 'label' && plan.output.probabilitiesName !== undefined;
  return {
    onnx: `\\x${Buffer.from(bytes).toString('hex')}`,
    ioPlan: plan,
    classes: labels ? JSON.stringify(labels) : null,
    // A classifier with probabilities gets f_probabilities too.
    problemType: xgboost?.problemType ?? (plan.output.kind === 'value' ? 'REGRESSION' : withProbabilities ? 'MULTICLASS_CLASSIFICATION' : 'CLASSIFICATION'),
    modelType: xgboost ? 'XGBOOST' : 'ONNX',
    objective: xgboost?.objective ?? null,
    metric: null,
    metricValue: null,
    parameterNames: parameterTypes.map((_, i) => `x${i + 1}`),
    source: 'IMPORTED',
  };
}
