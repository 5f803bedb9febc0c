import type { Token } from '../../sql/lexer.ts';
import type { CreateModel } from '../ast/create-model.ts';
import type { HyperparameterEntry } from './parse-hyperparameters.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A CREATE MODEL (training form) as read, before the checks that span clauses; it keeps the
 * tokens of its clauses so those checks can point at the one at fault.
 */
export interface CreateModelDraft {
  readonly statement: Mutable<CreateModel>;
  readonly hyperparameters?: readonly HyperparameterEntry[];
  readonly at: {
    functionKeyword: Token;
    auto?: Token;
    modelType?: Token;
    objective?: Token;
    problemType?: Token;
    hyperparameters?: Token;
    target?: Token;
  };
}
