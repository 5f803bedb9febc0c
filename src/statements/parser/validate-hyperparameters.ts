import { SqlState } from '../../errors/sqlstate.ts';
import type { Token } from '../../sql/lexer.ts';
import type { ModelType } from '../ast/model-options.ts';
import type { HyperparameterEntry } from './parse-hyperparameters.ts';
import { valueError } from './syntax-error.ts';
import { KMEANS_HYPERPARAMETERS, XGBOOST_HYPERPARAMETERS, type HyperparameterRange } from './xgboost-hyperparameters.ts';

/**
 * Checks DEFAULT EXCEPT (...) against the model type: known names, numeric values in range,
 * num_class with multi:softmax, K for KMEANS. MLP and LINEAR_LEARNER values pass unchecked
 * (the contract lists no hyperparameters for them). Returns key → value.
 */
export function validateHyperparameters(
  sql: string,
  modelType: ModelType,
  objective: string | undefined,
  entries: readonly HyperparameterEntry[],
  keyword: Token | undefined,
): Record<string, string> {
  const table: Readonly<Record<string, HyperparameterRange | null>> | null =
    modelType === 'XGBOOST' ? XGBOOST_HYPERPARAMETERS : modelType === 'KMEANS' ? KMEANS_HYPERPARAMETERS : null;
  const fail = (token: Token | undefined, message: string, hint?: string) =>
    valueError(sql, token ?? entries[0]?.keyToken, SqlState.invalidParameterValue, message, hint ? { hint } : {});

  for (const entry of entries) {
    if (!table) break;
    if (!(entry.key in table)) {
      throw fail(entry.keyToken, `unrecognized ${modelType} hyperparameter "${entry.key}"`, `Known: ${Object.keys(table).join(', ')}.`);
    }
    const range = table[entry.key];
    if (!range) continue;
    const text = entry.value.trim();
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
    const kind = range.integer ? 'an integer' : 'a number';
    if (Number.isNaN(value) || (range.integer && !Number.isInteger(value))) {
      throw fail(entry.valueToken, `invalid value for hyperparameter ${entry.key}: "${entry.value}"`, `It must be ${kind}.`);
    }
    if (value < range.min || value > range.max) {
      throw fail(entry.valueToken, `hyperparameter ${entry.key} must be between ${range.min} and ${range.max}`);
    }
  }
  const overrides = Object.fromEntries(entries.map((e) => [e.key, e.value.trim()]));
  if (modelType === 'XGBOOST' && objective === 'multi:softmax' && !('num_class' in overrides)) {
    throw valueError(sql, keyword ?? entries[0].keyToken, SqlState.invalidParameterValue, "OBJECTIVE 'multi:softmax' requires the hyperparameter NUM_CLASS", {
      hint: "Add it: HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3').",
    });
  }
  if (modelType === 'KMEANS' && !('k' in overrides)) {
    throw fail(keyword, 'MODEL_TYPE KMEANS requires the hyperparameter K', "Add HYPERPARAMETERS DEFAULT EXCEPT (K '5').");
  }
  return overrides;
}
