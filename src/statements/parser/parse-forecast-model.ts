import { SqlState } from '../../errors/sqlstate.ts';
import { DEFAULT_PERCENTILES } from '../../forecast/percentiles.ts';
import { FORECAST_OBJECTIVES } from '../../forecast/objectives.ts';
import type { Token } from '../../sql/lexer.ts';
import type { CreateForecastModel } from '../ast/create-forecast-model.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { parseIamRole } from './parse-iam-role.ts';
import { parseIdentifier, parseOnOff, parseString } from './parse-names.ts';
import { FORECAST_SETTINGS, parseSettings } from './parse-settings.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

/**
 * MODEL_TYPE FORECAST written at the statement's top level (outside the FROM query): the
 * statement follows the forecast grammar, which has no FUNCTION clause.
 */
export function writesModelTypeForecast(tokens: readonly Token[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'punctuation' && token.text === '(') depth++;
    else if (token.kind === 'punctuation' && token.text === ')') depth--;
    const next = tokens[i + 1];
    if (depth === 0 && token.kind === 'identifier' && token.value === 'model_type' && next?.kind === 'identifier' && next.value === 'forecast') {
      return true;
    }
  }
  return false;
}

/**
 * The rest of CREATE [OR REPLACE] MODEL m FROM ... after FROM, for MODEL_TYPE FORECAST:
 * TARGET t [IAM_ROLE ...] [AUTO ON|OFF] MODEL_TYPE FORECAST [OBJECTIVE '...'] SETTINGS (HORIZON n,
 * FREQUENCY 'f' [, PERCENTILES '...'] ...). A clause other models take is 42601 naming it; a bad
 * or missing value is 22023.
 */
export function parseForecastModel(ts: TokenStream, orReplace: boolean, model: QualifiedName): CreateForecastModel {
  const source = parseTrainingSource(ts);
  const invalid = (token: Token, message: string, hint?: string) =>
    valueError(ts.sql, token, SqlState.invalidParameterValue, message, hint ? { hint } : {});
  const notHere = (token: Token, clause: string, hint: string) =>
    valueError(ts.sql, token, SqlState.syntaxError, `a FORECAST model takes no ${clause} clause`, { hint });

  if (!ts.isKeyword('target')) throw invalid(ts.peek(), 'a FORECAST model requires TARGET', 'Name the column whose values are forecast: TARGET column_name.');
  ts.next();
  const target = parseIdentifier(ts);
  if (ts.isKeyword('function')) {
    throw notHere(ts.peek(), 'FUNCTION', 'Its forecast is read with SELECT FORECAST(model_name); leave the FUNCTION clause out.');
  }
  const iamRole = ts.acceptKeyword('iam_role') ? parseIamRole(ts) : undefined;
  const auto = ts.acceptKeyword('auto') ? parseOnOff(ts) : true;
  const modelTypeToken = ts.expectKeyword('model_type');
  ts.expectKeyword('forecast');
  if (ts.isKeyword('problem_type')) throw notHere(ts.peek(), 'PROBLEM_TYPE', 'A forecast predicts the TARGET of each series forward in time.');
  let objective = 'AverageWeightedQuantileLoss';
  if (ts.acceptKeyword('objective')) {
    const token = ts.peek();
    const written = parseString(ts);
    const known = FORECAST_OBJECTIVES.find((o) => o.toLowerCase() === written.toLowerCase());
    if (!known) {
      throw invalid(token, `invalid OBJECTIVE "${written}" for a FORECAST model`, `OBJECTIVE is one of ${FORECAST_OBJECTIVES.map((o) => `'${o}'`).join(', ')}.`);
    }
    objective = known;
  }
  for (const clause of ['preprocessors', 'hyperparameters']) {
    if (ts.isKeyword(clause)) throw notHere(ts.peek(), clause.toUpperCase(), 'The forecasting method is chosen by AUTO; its settings are HORIZON, FREQUENCY and PERCENTILES.');
  }
  const settingsToken = ts.peek();
  const settings = ts.acceptKeyword('settings')
    ? parseSettings(ts, FORECAST_SETTINGS, 'A FORECAST model takes HORIZON, FREQUENCY, PERCENTILES, S3_BUCKET, KMS_KEY_ID, S3_GARBAGE_COLLECT, MAX_CELLS, MAX_RUNTIME and TAGS.')
    : {};
  ts.expectEnd();
  const at = settingsToken.kind === 'eof' || settingsToken.text === ';' ? modelTypeToken : settingsToken;
  if (settings.horizon === undefined) {
    throw invalid(at, 'a FORECAST model requires the setting HORIZON', 'Add SETTINGS (HORIZON n, FREQUENCY \'D\'): n steps are forecast.');
  }
  if (settings.frequency === undefined) {
    throw invalid(at, 'a FORECAST model requires the setting FREQUENCY', "Add FREQUENCY 'D' (or Y, M, W, H, 30min, 15min, 10min, 5min, 1min) to SETTINGS.");
  }
  return {
    kind: 'CreateForecastModel',
    orReplace,
    model,
    source,
    target,
    ...(iamRole ? { iamRole } : {}),
    auto,
    objective,
    horizon: settings.horizon,
    frequency: settings.frequency,
    percentiles: settings.percentiles ?? DEFAULT_PERCENTILES,
    settings,
  };
}
