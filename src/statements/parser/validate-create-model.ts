import { SqlState } from '../../errors/sqlstate.ts';
import type { Token } from '../../sql/lexer.ts';
import type { CreateModel } from '../ast/create-model.ts';
import type { ProblemType } from '../ast/model-options.ts';
import type { CreateModelDraft } from './create-model-draft.ts';
import { validateHyperparameters } from './validate-hyperparameters.ts';
import { valueError } from './syntax-error.ts';
import { AUTOML_OBJECTIVES, XGBOOST_OBJECTIVES } from './xgboost-hyperparameters.ts';

/** The problem type an XGBoost objective implies: reg:* regression, binary:* binary, multi:* multiclass. */
const OBJECTIVE_PROBLEM: Readonly<Record<string, ProblemType>> = {
  reg: 'REGRESSION',
  binary: 'BINARY_CLASSIFICATION',
  multi: 'MULTICLASS_CLASSIFICATION',
};

/**
 * The rules of contract §1 that tie clauses together and need no catalog: TARGET except for
 * KMEANS, what AUTO OFF requires, objectives, hyperparameter names and ranges. Each is 22023
 * (invalid_parameter_value) pointing at the clause at fault.
 */
export function validateCreateModel(sql: string, draft: CreateModelDraft): CreateModel {
  const { statement: s, at } = draft;
  const fail = (token: Token | undefined, message: string, hint?: string) =>
    valueError(sql, token ?? at.functionKeyword, SqlState.invalidParameterValue, message, hint ? { hint } : {});

  if (s.modelType === 'KMEANS') {
    if (s.target !== undefined) throw fail(at.target, 'a KMEANS model takes no TARGET', 'Clusters are learned from the features alone.');
    if (s.auto) throw fail(at.auto ?? at.modelType, 'MODEL_TYPE KMEANS requires AUTO OFF');
  } else if (s.target === undefined) {
    throw fail(at.functionKeyword, 'CREATE MODEL requires TARGET unless MODEL_TYPE is KMEANS', 'Name the column to predict: TARGET column_name.');
  }

  if (s.auto) {
    if (draft.hyperparameters) throw fail(at.hyperparameters, 'HYPERPARAMETERS apply only with AUTO OFF');
    if (s.objective !== undefined) {
      const metric = AUTOML_OBJECTIVES[s.objective.toLowerCase()];
      if (!metric) {
        throw fail(at.objective, `invalid OBJECTIVE "${s.objective}" for AUTO ON`, "With AUTO ON, OBJECTIVE is one of 'MSE', 'Accuracy', 'F1', 'F1Macro', 'AUC'.");
      }
      s.objective = metric;
    }
  } else if (!s.modelType) {
    throw fail(at.auto, 'AUTO OFF requires MODEL_TYPE', 'Choose one: MODEL_TYPE XGBOOST, MLP, LINEAR_LEARNER or KMEANS.');
  }

  if (!s.auto && s.modelType === 'XGBOOST') {
    if (s.objective === undefined) {
      throw fail(at.modelType, 'AUTO OFF with MODEL_TYPE XGBOOST requires OBJECTIVE', `OBJECTIVE is one of ${XGBOOST_OBJECTIVES.map((o) => `'${o}'`).join(', ')}.`);
    }
    const objective = s.objective.toLowerCase();
    if (!(XGBOOST_OBJECTIVES as readonly string[]).includes(objective)) {
      throw fail(at.objective, `invalid XGBoost OBJECTIVE "${s.objective}"`, `OBJECTIVE is one of ${XGBOOST_OBJECTIVES.map((o) => `'${o}'`).join(', ')}.`);
    }
    s.objective = objective;
    const implied = OBJECTIVE_PROBLEM[objective.split(':')[0]];
    if (s.problemType && s.problemType !== implied) {
      throw fail(at.problemType, `PROBLEM_TYPE ${s.problemType} contradicts OBJECTIVE '${objective}'`, `OBJECTIVE '${objective}' means ${implied}.`);
    }
  }

  if (draft.hyperparameters && s.modelType) {
    s.hyperparameters = { overrides: validateHyperparameters(sql, s.modelType, s.objective, draft.hyperparameters, at.hyperparameters) };
  } else if (draft.hyperparameters) {
    s.hyperparameters = { overrides: Object.fromEntries(draft.hyperparameters.map((e) => [e.key, e.value])) };
  } else if (!s.auto && s.modelType === 'XGBOOST' && s.objective === 'multi:softmax') {
    throw fail(at.objective, "OBJECTIVE 'multi:softmax' requires the hyperparameter NUM_CLASS", "Add HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3').");
  } else if (s.modelType === 'KMEANS') {
    throw fail(at.modelType, 'MODEL_TYPE KMEANS requires the hyperparameter K', "Add HYPERPARAMETERS DEFAULT EXCEPT (K '5').");
  }
  if (s.target === undefined) delete s.target;
  return s;
}
