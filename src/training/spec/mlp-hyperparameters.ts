import { type NumericKey, parseNumericKeys } from './hyperparameter-table.ts';

/**
 * MLP hyperparameters. The contract names none for MLP (Redshift takes none), so these are
 * modelgres' own, all optional; the defaults suit tables of a few hundred to a few hundred
 * thousand rows.
 */
export interface MlpParams {
  /** Hidden layers, each `hiddenUnits` wide, ReLU after each. */
  hiddenLayers: number;
  hiddenUnits: number;
  /** Passes over the training rows at most; early stopping usually ends sooner. */
  epochs: number;
  /** Adam's step size. */
  learningRate: number;
  miniBatchSize: number;
  /** L2 penalty on the weights (not the biases), added to the mean loss as (λ/2)|W|². */
  weightDecay: number;
  /** Epochs without a better early-stopping loss before training stops. */
  patience: number;
}

const KEYS: Record<string, NumericKey<keyof MlpParams>> = {
  hidden_layers: { field: 'hiddenLayers', default: 1, min: 1, max: 4, integer: true },
  hidden_units: { field: 'hiddenUnits', default: 64, min: 1, max: 1024, integer: true },
  epochs: { field: 'epochs', default: 200, min: 1, max: 10000, integer: true },
  learning_rate: { field: 'learningRate', default: 0.001, min: 1e-6, max: 1, integer: false },
  mini_batch_size: { field: 'miniBatchSize', default: 64, min: 1, max: 65536, integer: true },
  weight_decay: { field: 'weightDecay', default: 1e-3, min: 0, max: 1, integer: false },
  patience: { field: 'patience', default: 10, min: 1, max: 10000, integer: true },
};

export function parseMlpHyperparameters(raw: Record<string, string>): MlpParams {
  return parseNumericKeys(raw, KEYS) as MlpParams;
}
