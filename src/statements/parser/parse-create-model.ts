import type { CreateModel } from '../ast/create-model.ts';
import type { CreateForecastModel } from '../ast/create-forecast-model.ts';
import type { CreateModelFromArtifact, ModelArtifact } from '../ast/create-model-from-artifact.ts';
import type { CreateRemoteModel } from '../ast/create-remote-model.ts';
import type { ModelType, ProblemType } from '../ast/model-options.ts';
import type { CreateModelDraft } from './create-model-draft.ts';
import { parseDataType } from './parse-data-type.ts';
import { parseFunctionSignature } from './parse-function-signature.ts';
import { parseHyperparameters } from './parse-hyperparameters.ts';
import { parseIamRole } from './parse-iam-role.ts';
import { parseIdentifier, parseOnOff, parseQualifiedName, parseString } from './parse-names.ts';
import { parsePreprocessors } from './parse-preprocessors.ts';
import { parseSettings } from './parse-settings.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import { parseForecastModel, writesModelTypeForecast } from './parse-forecast-model.ts';
import type { TokenStream } from './token-stream.ts';
import { validateCreateModel } from './validate-create-model.ts';

const MODEL_TYPES: readonly ModelType[] = ['XGBOOST', 'MLP', 'LINEAR_LEARNER', 'KMEANS'];
const PROBLEM_TYPES: readonly ProblemType[] = ['REGRESSION', 'BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION'];

const CLAUSE_ORDER_HINT =
  'CREATE MODEL clauses go in this order: FROM, TARGET, FUNCTION, IAM_ROLE, AUTO, MODEL_TYPE, PROBLEM_TYPE, OBJECTIVE, PREPROCESSORS and HYPERPARAMETERS, SETTINGS.';
const CLAUSE_WORDS = new Set(['from', 'target', 'function', 'iam_role', 'auto', 'model_type', 'problem_type', 'objective', 'preprocessors', 'hyperparameters', 'settings', 'returns']);

/**
 * CREATE [ OR REPLACE ] MODEL m FROM ... in either form of the contract (§1 training, §2 artifact),
 * FUNCTION ... SAGEMAKER or MODEL_TYPE FORECAST (§11).
 */
export function parseCreateModel(ts: TokenStream): CreateModel | CreateForecastModel | CreateModelFromArtifact | CreateRemoteModel {
  ts.expectKeyword('create');
  const orReplace = ts.acceptKeyword('or');
  if (orReplace) ts.expectKeyword('replace');
  ts.expectKeyword('model');
  const model = parseQualifiedName(ts);
  if (ts.isKeyword('function')) return parseRemoteModel(ts, orReplace, model);
  ts.expectKeyword('from');
  if (ts.peek().kind === 'string') return parseFromArtifact(ts, orReplace, model);
  // A forecast's grammar differs (no FUNCTION): MODEL_TYPE FORECAST decides before TARGET is read.
  if (writesModelTypeForecast(ts.all())) return parseForecastModel(ts, orReplace, model);
  return validateCreateModel(ts.sql, parseTraining(ts, orReplace, model));
}

function parseTraining(ts: TokenStream, orReplace: boolean, model: CreateModel['model']): CreateModelDraft {
  const source = parseTrainingSource(ts);
  const at: CreateModelDraft['at'] = { functionKeyword: ts.peek() };
  let target: string | undefined;
  if (ts.isKeyword('target')) {
    ts.next();
    at.target = ts.peek();
    target = parseIdentifier(ts);
  }
  at.functionKeyword = ts.expectKeyword('function');
  const statement: CreateModelDraft['statement'] = {
    kind: 'CreateModel',
    orReplace,
    model,
    source,
    target,
    function: parseFunctionSignature(ts, false),
    auto: true,
    settings: {},
  };
  if (ts.acceptKeyword('iam_role')) statement.iamRole = parseIamRole(ts);
  if (ts.isKeyword('auto')) {
    at.auto = ts.next();
    statement.auto = parseOnOff(ts);
  }
  if (ts.acceptKeyword('model_type')) {
    at.modelType = ts.peek();
    statement.modelType = parseWordOf(ts, MODEL_TYPES, 'MODEL_TYPE');
  }
  if (ts.acceptKeyword('problem_type')) {
    at.problemType = ts.peek();
    statement.problemType = parseWordOf(ts, PROBLEM_TYPES, 'PROBLEM_TYPE');
  }
  if (ts.acceptKeyword('objective')) {
    at.objective = ts.peek();
    statement.objective = parseString(ts);
  }
  let hyperparameters: CreateModelDraft['hyperparameters'];
  // PREPROCESSORS and HYPERPARAMETERS come in either order, each at most once.
  for (let i = 0; i < 2; i++) {
    if (!statement.preprocessors && ts.acceptKeyword('preprocessors')) {
      statement.preprocessors = parsePreprocessors(ts);
    } else if (!hyperparameters && ts.isKeyword('hyperparameters')) {
      at.hyperparameters = ts.next();
      hyperparameters = parseHyperparameters(ts);
    }
  }
  if (ts.acceptKeyword('settings')) statement.settings = parseSettings(ts);
  expectEndOfCreate(ts);
  return { statement, hyperparameters, at };
}

function parseFromArtifact(ts: TokenStream, orReplace: boolean, model: CreateModel['model']): CreateModelFromArtifact {
  const path = parseString(ts);
  const artifact: ModelArtifact =
    isModelFilePath(path) ? { kind: 'File', path } : { kind: 'JobName', jobName: path };
  ts.expectKeyword('function');
  const signature = parseFunctionSignature(ts, true);
  ts.expectKeyword('returns');
  const returns = parseDataType(ts);
  const iamRole = ts.acceptKeyword('iam_role') ? parseIamRole(ts) : undefined;
  const settings = ts.acceptKeyword('settings')
    ? parseSettings(ts, ['s3_bucket', 'kms_key_id'], 'A model created FROM an artifact takes only S3_BUCKET and KMS_KEY_ID.')
    : {};
  expectEndOfCreate(ts);
  return {
    kind: 'CreateModelFromArtifact',
    orReplace,
    model,
    artifact,
    function: { name: signature.name, parameterTypes: signature.parameterTypes ?? [] },
    returns,
    ...(iamRole ? { iamRole } : {}),
    settings,
  };
}

/**
 * CREATE MODEL m FUNCTION f (types) RETURNS type SAGEMAKER 'endpoint'[:'model'] [IAM_ROLE ...]
 * [SETTINGS (MAX_BATCH_ROWS n)] (§11); 'model' names one model of a multi-model endpoint.
 */
function parseRemoteModel(ts: TokenStream, orReplace: boolean, model: CreateModel['model']): CreateRemoteModel {
  ts.expectKeyword('function');
  const signature = parseFunctionSignature(ts, true);
  ts.expectKeyword('returns');
  const returns = parseDataType(ts);
  ts.expectKeyword('sagemaker');
  const endpoint = parseString(ts);
  const targetModel = ts.acceptPunctuation(':') ? parseString(ts) : undefined;
  const iamRole = ts.acceptKeyword('iam_role') ? parseIamRole(ts) : undefined;
  const settings = ts.acceptKeyword('settings') ? parseSettings(ts, ['max_batch_rows'], "A SAGEMAKER model takes only MAX_BATCH_ROWS.") : {};
  expectEndOfCreate(ts);
  return {
    kind: 'CreateRemoteModel',
    orReplace,
    model,
    endpoint,
    ...(targetModel !== undefined ? { targetModel } : {}),
    function: { name: signature.name, parameterTypes: signature.parameterTypes ?? [] },
    returns,
    ...(iamRole ? { iamRole } : {}),
    ...(settings.maxBatchRows !== undefined ? { maxBatchRows: settings.maxBatchRows } : {}),
  };
}

/** One of a closed list of words, case-insensitive; anything else is a syntax error at it. */
function parseWordOf<W extends string>(ts: TokenStream, words: readonly W[], clause: string): W {
  const token = ts.peek();
  const word = token.kind === 'identifier' ? words.find((w) => w.toLowerCase() === token.value) : undefined;
  if (!word) throw ts.fail(token, `${clause} is one of ${words.join(', ')}.`);
  ts.next();
  return word;
}

/** A clause keyword left over at the end was written out of order: say the order. */
function expectEndOfCreate(ts: TokenStream): void {
  ts.acceptPunctuation(';');
  const token = ts.peek();
  if (token.kind === 'eof') return;
  throw ts.fail(token, token.kind === 'identifier' && CLAUSE_WORDS.has(token.value) ? CLAUSE_ORDER_HINT : undefined);
}

/** A model file (ONNX, or an XGBoost JSON model or .tar.gz archive) rather than a job name: a known extension or a '/'. */
function isModelFilePath(path: string): boolean {
  return /\.(onnx|json|ubj|tar\.gz|tgz)$/i.test(path) || path.includes('/');
}
